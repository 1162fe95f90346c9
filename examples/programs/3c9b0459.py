# Rule: the output is the input rotated by 180 degrees.


def transform(grid):
    return [row[::-1] for row in grid[::-1]]
