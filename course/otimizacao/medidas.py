"""Medir tamanhos: bytes, MiB (2^20 bytes) e bytes depois de gzip.

Uma só convenção em todo o curso: potências de 2, escritas KiB, MiB e GiB (1 KiB = 2^10 bytes,
1 MiB = 2^20, 1 GiB = 2^30), como a memória RAM se conta. KB, MB e GB (10^3, 10^6, 10^9 bytes)
só aparecem quando o caderno 00 refaz as contas do texto do módulo, que usa 1 GB = 10^9 bytes.
"""

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
    """Converte bytes em MiB (2^20 bytes; o «MB» do nome vem do texto, cujo código divide por
    1024**2). Apresentado no caderno 00."""
    return n_bytes / MB


def gzip_bytes(dados: bytes, nivel: int = 9) -> int:
    """Tamanho em bytes de ``dados`` depois de comprimidos com gzip (determinístico: mtime=0).
    Apresentado no caderno 00."""
    return len(gzip.compress(bytes(dados), compresslevel=nivel, mtime=0))


def formatar_bytes(n_bytes: float) -> str:
    """Texto legível em potências de 2: «512 B», «3,4 KiB», «1,50 MiB», «7,00 GiB».
    Apresentado no caderno 00."""
    n = float(n_bytes)
    for unidade, fator in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= fator:
            casas = 1 if unidade == "KiB" else 2
            return f"{n / fator:.{casas}f} {unidade}".replace(".", ",")
    return f"{int(n)} B"
