"""Officer pages for honours (the public ones are in `honours.public`)."""
