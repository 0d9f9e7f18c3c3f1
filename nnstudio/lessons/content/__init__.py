"""One module per lesson, each defining ``LESSON`` (see :mod:`nnstudio.lessons.model`)."""
