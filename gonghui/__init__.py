"""gonghui (工会): the work platform of a federation of trade unions."""
