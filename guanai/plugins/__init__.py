"""The built-in activity types of the care programme, one plugin module each."""
