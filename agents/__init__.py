"""Policies (LLM back ends and prompts), search agents (``sample``, ``rex``, ``sample-refine``) and
voting. Imports no torch or vllm at import time. Built in the next milestones."""
