"""Phase Lab: a small web app for watching neural networks learn."""
