"""BadFileError: a file that cannot be loaded, for whatever reason (its path in the landing folder,
its name, or a broken share-price contract rule), apart from the modules that raise it."""


class BadFileError(Exception):
    """A file that cannot be loaded; the message names the file and the problem."""

    def __init__(self, file: str, problem: str):
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem
