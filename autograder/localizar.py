"""Descobre em que célula o kernel morre: ``python autograder/localizar.py caderno.ipynb pasta``.

O kernel corre em ``pasta`` (a pasta da entrega) e é o de ``CURSO4_KERNEL`` (o isolado, se
houver isolamento).

Corre num subprocesso, com os mesmos limites e isolamento da avaliação (ver entrega.py). Do
projeto só importa ``comum.py`` (ao lado, sem dependências; corre com o PYTHONPATH vazio) e
escreve ``CELULA_FATAL <índice>`` (ou ``CELULA_FATAL -``) na última linha.
"""

import os
import sys
from pathlib import Path

import nbformat
from comum import CELULA_FATAL, ENV_KERNEL, ENV_TEMPO_CELULA, TEMPO_CELULA_S
from nbclient import NotebookClient


def localizar(caderno: Path, pasta: Path, tempo_celula: int, kernel: str) -> int | None:
    nb = nbformat.read(caderno, as_version=4)
    atual = {"i": None}

    def ao_executar(cell, cell_index, **_):
        atual["i"] = cell_index

    cliente = NotebookClient(
        nb, timeout=tempo_celula, allow_errors=True, kernel_name=kernel,
        resources={"metadata": {"path": str(pasta)}}, on_cell_execute=ao_executar,
    )
    try:
        cliente.execute()
    except Exception:  # DeadKernelError e afins: a célula em curso é a culpada
        return atual["i"]
    return None


if __name__ == "__main__":
    indice = localizar(Path(sys.argv[1]), Path(sys.argv[2]), int(os.environ.get(ENV_TEMPO_CELULA, TEMPO_CELULA_S)),
                       os.environ.get(ENV_KERNEL, "python3"))
    print(f"{CELULA_FATAL} {'-' if indice is None else indice}", flush=True)
