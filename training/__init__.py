"""Hindsight relabeling, dataset building, LoRA finetuning and the self-improvement loop (torch and
peft imported lazily). Built in the next milestones."""
