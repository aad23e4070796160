"""Dados do curso: o conjunto ``digits`` do scikit-learn (embutido, funciona offline) e,
a pedido e com internet, MNIST ou Fashion-MNIST."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CONJUNTOS = ("digits", "mnist", "fashion_mnist")

# Onde o tf_keras guarda os ficheiros descarregados (keras.utils.get_file).
_FICHEIROS_KERAS = {"mnist": "mnist.npz", "fashion_mnist": "fashion-mnist"}


class DadosIndisponiveis(RuntimeError):
    """O conjunto pedido não está no disco e não há ligação para o descarregar."""


@dataclass(frozen=True)
class Dados:
    """Conjunto dividido em treino, validação e teste (imagens NHWC float32 em [0, 1])."""

    x_treino: np.ndarray
    y_treino: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_teste: np.ndarray
    y_teste: np.ndarray
    nome: str

    @property
    def forma_entrada(self) -> tuple[int, ...]:
        return tuple(self.x_treino.shape[1:])

    @property
    def num_classes(self) -> int:
        return int(max(self.y_treino.max(), self.y_val.max(), self.y_teste.max()) + 1)

    def resumo(self) -> str:
        return (
            f"{self.nome}: treino {len(self.x_treino)}, validação {len(self.x_val)}, "
            f"teste {len(self.x_teste)}; imagens {self.forma_entrada}, {self.num_classes} classes"
        )


def _dividir(x: np.ndarray, y: np.ndarray, semente: int, fracao_val: float, fracao_teste: float):
    rng = np.random.default_rng(semente)
    ordem = rng.permutation(len(x))
    n_teste = int(round(len(x) * fracao_teste))
    n_val = int(round(len(x) * fracao_val))
    i_teste, i_val, i_treino = np.split(ordem, [n_teste, n_teste + n_val])
    return x[i_treino], y[i_treino], x[i_val], y[i_val], x[i_teste], y[i_teste]


def carregar_digits(semente: int = 0, fracao_val: float = 0.15, fracao_teste: float = 0.15) -> Dados:
    """Carrega o ``digits`` do scikit-learn (1 797 imagens 8×8, 10 classes), escalado para
    [0, 1] e dividido de forma reprodutível. Apresentado no caderno 00."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[..., np.newaxis]
    y = d.target.astype(np.int64)
    return Dados(*_dividir(x, y, semente, fracao_val, fracao_teste), nome="digits")


def _ha_internet(anfitriao: str = "storage.googleapis.com", porta: int = 443, espera: float = 3.0) -> bool:
    try:
        with socket.create_connection((anfitriao, porta), timeout=espera):
            return True
    except OSError:
        return False


def _em_cache(nome: str) -> bool:
    base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"
    return (base / _FICHEIROS_KERAS[nome]).exists()


def carregar_dados(nome: str = "digits", semente: int = 0, max_treino: int | None = None) -> Dados:
    """Carrega o conjunto ``nome`` ("digits", "mnist" ou "fashion_mnist").

    ``digits`` vem com o scikit-learn e funciona sempre offline. MNIST e Fashion-MNIST são
    descarregados pelo tf_keras na primeira utilização; sem internet (e sem cópia no disco)
    levanta ``DadosIndisponiveis`` com uma mensagem clara, sem ficar pendurado.
    ``max_treino`` limita o número de exemplos de treino (útil num portátil).
    Apresentado no caderno 00.
    """
    nome = str(nome).lower().replace("-", "_")
    if nome not in CONJUNTOS:
        raise ValueError(
            f"Conjunto de dados desconhecido: {nome!r}. Escolhe um de: {', '.join(CONJUNTOS)}."
        )
    if nome == "digits":
        dados = carregar_digits(semente)
    else:
        if not _em_cache(nome) and not _ha_internet():
            raise DadosIndisponiveis(
                f"Não consegui descarregar {nome}: não há ligação à internet e o ficheiro não "
                "está guardado no disco. Usa carregar_dados('digits'), que funciona offline, ou "
                "liga-te à internet e volta a correr esta célula."
            )
        from tf_keras import datasets

        modulo = datasets.mnist if nome == "mnist" else datasets.fashion_mnist
        (x, y), (x_teste, y_teste) = modulo.load_data()
        x = (x / 255.0).astype(np.float32)[..., np.newaxis]
        x_teste = (x_teste / 255.0).astype(np.float32)[..., np.newaxis]
        rng = np.random.default_rng(semente)
        ordem = rng.permutation(len(x))
        n_val = len(x) // 10
        i_val, i_treino = ordem[:n_val], ordem[n_val:]
        dados = Dados(x[i_treino], y[i_treino].astype(np.int64), x[i_val], y[i_val].astype(np.int64),
                      x_teste, y_teste.astype(np.int64), nome=nome)
    if max_treino is not None:
        dados = Dados(dados.x_treino[:max_treino], dados.y_treino[:max_treino], dados.x_val,
                      dados.y_val, dados.x_teste, dados.y_teste, nome=dados.nome)
    return dados
