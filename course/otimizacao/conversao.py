"""Ferramentas TFLite que nenhum exercício pede: o interpretador (LiteRT ou ``tf.lite``), a
conversão float32, os pesos int8 de um modelo convertido e o silêncio das mensagens internas.

A quantização int8 completa, a inferência e a exatidão de um modelo TFLite são exercícios do
caderno 01_ptq_tflite: não estão aqui. Os cadernos seguintes usam as versões do próprio aluno,
que as traz para uma célula de resposta (ver ``tests/construcao/test_integridade.py``).
"""

from __future__ import annotations

import contextlib
import io
import sys

import numpy as np

from otimizacao import ambiente


def interpretador(modelo_tflite: bytes):
    """Interpretador TFLite de ``modelo_tflite`` (bytes), ainda sem tensores alocados: o LiteRT
    (``ai_edge_litert``) quando está instalado, senão o ``tf.lite.Interpreter`` (obsoleto desde
    o TF 2.20). É o ``_interpretador`` que o caderno 01_ptq_tflite dá; o caderno
    05_poda_e_quantizacao importa-o daqui com esse nome, para as funções do aluno."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    return Interpreter(model_content=bytes(modelo_tflite))


def converter_float(modelo) -> bytes:
    """Os bytes do modelo TFLite float32 de um modelo Keras (sem quantização).
    Apresentado no caderno 05_poda_e_quantizacao."""
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(modelo).convert()


def tensores_int8(modelo_tflite: bytes) -> dict[str, np.ndarray]:
    """Os tensores constantes int8 com mais de 1000 valores (os pesos grandes) de um modelo
    TFLite, pelo nome. Apresentado no caderno 05_poda_e_quantizacao."""
    interp = interpretador(modelo_tflite)
    interp.allocate_tensors()
    tensores = {}
    for det in interp.get_tensor_details():
        if det["dtype"] == np.int8 and int(np.prod(det["shape"])) > 1000:
            try:
                tensores[det["name"]] = np.array(interp.get_tensor(det["index"]))
            except ValueError:  # tensor intermédio sem dados
                continue
    return tensores


@contextlib.contextmanager
def sem_mensagens_internas():
    """Sem as mensagens internas durante o bloco: as linhas informativas do conversor TFLite e
    do interpretador (``fully_quantize: ...``, ``Created TensorFlow Lite XNNPACK delegate``), que
    o C++ escreve diretamente no ecrã, passam pelo filtro de ``ambiente`` (as que ele não
    reconhece aparecem), e os avisos de Python ficam de fora. Os erros (exceções) continuam a
    aparecer. Apresentado no caderno 05_poda_e_quantizacao."""
    sys.stderr.flush()
    with ambiente.mensagens_filtradas(), contextlib.redirect_stderr(io.StringIO()):
        yield
