# Rule: every orange (7) cell turns grey (5); the other cells stay as they are.


def transform(grid):
    return [[5 if cell == 7 else cell for cell in row] for row in grid]
