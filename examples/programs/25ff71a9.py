# Rule: the shape moves down by one row (the bottom row, all black, wraps to the top).


def transform(grid):
    return [grid[-1]] + grid[:-1]
