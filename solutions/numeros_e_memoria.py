"""Referência do caderno 00_numeros_e_memoria (secção 4.1 «O que é Quantização?»)."""

import numpy as np


def memoria_modelo(n_parametros: int, tipo: str) -> int:
    """Bytes necessários para guardar ``n_parametros`` no formato ``tipo``."""
    bytes_por_parametro = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
    if n_parametros < 0:
        raise ValueError(
            f"n_parametros tem de ser >= 0 (recebi {n_parametros}): um modelo não tem parâmetros negativos."
        )
    if tipo == "int4":
        return (int(n_parametros) + 1) // 2  # dois por byte: ceil(n/2)
    if tipo not in bytes_por_parametro:
        raise ValueError(
            f"Tipo desconhecido: {tipo!r}. Usa um de: fp32, fp16, bf16, int8, int4."
        )
    return int(n_parametros) * bytes_por_parametro[tipo]


def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    """Percentagem poupada ao passar de ``tamanho_original`` para ``tamanho_novo``."""
    if tamanho_original <= 0:
        raise ValueError(
            f"O tamanho original tem de ser positivo (recebi {tamanho_original}): não há redução a calcular."
        )
    return (1.0 - tamanho_novo / tamanho_original) * 100.0


def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    """Quantização afim assimétrica por tensor para inteiros com sinal de ``bits`` bits."""
    if not 2 <= bits <= 8:
        raise ValueError(f"bits tem de estar entre 2 e 8 (recebi {bits}).")
    x = np.asarray(x, dtype=np.float64)
    q_min, q_max = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    # O intervalo inclui sempre o 0, para que o 0.0 seja representado sem erro.
    x_min = min(float(x.min()), 0.0) if x.size else 0.0
    x_max = max(float(x.max()), 0.0) if x.size else 0.0
    if x_max == x_min:  # tudo zero: qualquer escala serve, evitamos dividir por zero
        return np.zeros(x.shape, dtype=np.int8), 1.0, 0
    escala = (x_max - x_min) / (q_max - q_min)
    ponto_zero = int(np.clip(round(q_min - x_min / escala), q_min, q_max))
    q = np.clip(np.round(x / escala) + ponto_zero, q_min, q_max).astype(np.int8)
    return q, float(escala), ponto_zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    """Volta aos reais: ``(q - ponto_zero) * escala``."""
    return ((np.asarray(q, dtype=np.float64) - ponto_zero) * escala).astype(np.float32)


def empacotar_int4(q: np.ndarray) -> np.ndarray:
    """Guarda valores int4 (-8..7) dois por byte num array ``uint8`` de ceil(n/2) bytes."""
    q = np.asarray(q).ravel().astype(np.int16)
    if q.size and (q.min() < -8 or q.max() > 7):
        raise ValueError("Os valores int4 têm de estar entre -8 e 7.")
    nibbles = (q & 0x0F).astype(np.uint8)  # complemento para dois em 4 bits
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))  # n ímpar: o último byte fica meio vazio
    return (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    """Recupera os ``n`` valores int4 guardados por ``empacotar_int4``."""
    dados = np.asarray(dados, dtype=np.uint8)
    nibbles = np.empty(dados.size * 2, dtype=np.int16)
    nibbles[0::2] = dados & 0x0F
    nibbles[1::2] = dados >> 4
    nibbles = nibbles[:n]
    return np.where(nibbles > 7, nibbles - 16, nibbles).astype(np.int8)
