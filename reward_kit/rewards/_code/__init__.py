"""Private helpers of the code-execution rewards."""
