"""What an env holds (venv, drift, requires), and what activating it changes (activation)."""
