"""The course's content: lesson files loaded and validated, widget specs, the lesson checker."""
