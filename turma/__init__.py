"""Uma turma a sério num JupyterHub desta máquina (``make turma``; ver o README)."""
