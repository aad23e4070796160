"""Medir tamanhos: bytes, MB (2^20 bytes) e bytes depois de gzip."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

MB = 2**20


def tamanho_bytes(obj) -> int:
    """Tamanho em bytes de um objeto ``bytes``/``bytearray`` ou de um ficheiro (caminho).
    Apresentado no caderno 00."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return len(obj)
    if isinstance(obj, (str, os.PathLike)):
        caminho = Path(obj)
        if not caminho.is_file():
            raise FileNotFoundError(f"O ficheiro {caminho} não existe: confirma o caminho.")
        return caminho.stat().st_size
    raise TypeError(
        f"Não sei medir um objeto do tipo {type(obj).__name__}: passa bytes ou o caminho de um ficheiro."
    )


def bytes_para_mb(n_bytes: float) -> float:
    """Converte bytes em MB (1 MB = 2^20 bytes). Apresentado no caderno 00."""
    return n_bytes / MB


def gzip_bytes(dados: bytes, nivel: int = 9) -> int:
    """Tamanho em bytes de ``dados`` depois de comprimidos com gzip (determinístico: mtime=0).
    Apresentado no caderno 00."""
    return len(gzip.compress(bytes(dados), compresslevel=nivel, mtime=0))


def formatar_bytes(n_bytes: float) -> str:
    """Texto legível: «512 B», «3,4 KB», «1,50 MB», «7,00 GB» (unidades de 1024).
    Apresentado no caderno 00."""
    n = float(n_bytes)
    for unidade, fator in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if abs(n) >= fator:
            casas = 1 if unidade == "KB" else 2
            return f"{n / fator:.{casas}f} {unidade}".replace(".", ",")
    return f"{int(n)} B"
