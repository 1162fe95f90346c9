"""Policy back ends, each importing its heavy library only when a policy is built."""
