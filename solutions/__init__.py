"""Implementação de referência de todos os exercícios do curso.

``from solutions import NOME`` funciona para cada exercício de CURSO.md. Os módulos só são
importados quando um nome é pedido, para que ``import solutions`` não carregue o TensorFlow
nem o PyTorch sem necessidade.

Este pacote NÃO é instalado no ambiente (ver pyproject.toml): o build do nbgrader injeta o
seu código nos cadernos de ``autograder/source``, e durante a avaliação o código dos alunos
não o consegue importar.
"""

from importlib import import_module

# nome do exercício -> módulo de solutions que o implementa (um módulo por caderno)
_ONDE = {
    # 00_numeros_e_memoria
    "memoria_modelo": "numeros_e_memoria",
    "reducao_percentual": "numeros_e_memoria",
    "quantizar_afim": "numeros_e_memoria",
    "desquantizar": "numeros_e_memoria",
    "empacotar_int4": "numeros_e_memoria",
    "desempacotar_int4": "numeros_e_memoria",
    # 01_ptq_tflite
    "quantizar_modelo_int8": "ptq_tflite",
    "inferencia_tflite": "ptq_tflite",
    "avaliar_tflite": "ptq_tflite",
    # 02_quantizacao_pytorch
    "quantizar_modelo_pytorch": "quantizacao_pytorch",
    "tamanho_modelo_mb": "quantizacao_pytorch",
    "medir_latencia_ms": "quantizacao_pytorch",
    # 03_qat
    "preparar_qat": "qat",
    "treinar_com_qat": "qat",
    # 04_poda
    "mascara_magnitude": "poda",
    "calcular_sparsity": "poda",
    "podar_progressivamente": "poda",
    "tamanho_gzip": "poda",
    # 05_poda_e_quantizacao
    "otimizar_modelo_completo": "poda_e_quantizacao",
    # 06_destilacao
    "perda_destilacao": "destilacao",
    "perda_total": "destilacao",
    "Destilador": "destilacao",
    # 07_taxa_de_aprendizagem
    "WarmUpCosineDecay": "taxa_de_aprendizagem",
    "simular_reduce_on_plateau": "taxa_de_aprendizagem",
    # 08_paragem_e_checkpoints
    "epoca_de_paragem": "paragem_e_checkpoints",
    "TopKCheckpoint": "paragem_e_checkpoints",
}

__all__ = sorted(_ONDE)


def __getattr__(nome):
    if nome in _ONDE:
        return getattr(import_module(f"{__name__}.{_ONDE[nome]}"), nome)
    raise AttributeError(f"solutions não tem {nome!r}")


def __dir__():
    return __all__
