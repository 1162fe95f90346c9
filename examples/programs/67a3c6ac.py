# Rule: the output is the input mirrored left to right.


def transform(grid):
    return [row[::-1] for row in grid]
