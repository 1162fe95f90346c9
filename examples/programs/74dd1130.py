# Rule: the output is the input transposed (rows become columns).


def transform(grid):
    return [list(column) for column in zip(*grid)]
