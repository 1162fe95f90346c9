# Rule: the output is the input rotated by 180 degrees (the same rule as 3c9b0459).
import numpy as np


def transform(grid):
    return np.rot90(np.array(grid), 2).tolist()
