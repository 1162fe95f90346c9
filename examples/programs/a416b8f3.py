# Rule: the output is the input repeated twice side by side.


def transform(grid):
    return [row + row for row in grid]
