"""Django's `changepassword`, taken over: a password changed from the command line goes
through the same action as every other change (tokens revoked, sessions ended, audited)."""

from gonghui.accounts.management.commands.set_password import Command as SetPassword


class Command(SetPassword):
    help = SetPassword.help + " (The same as set_password.)"
