"""Conversão para TensorFlow Lite e avaliação de modelos TFLite, prontas a usar.

São as funções do caderno 01_ptq_tflite (quantização int8 completa, inferência e exatidão),
aqui como ferramentas: o caderno 05_poda_e_quantizacao usa-as no pipeline poda → afinação →
quantização sem que o aluno tenha de as copiar. Quem ainda não fez o caderno 01 encontra lá
a explicação de cada passo (armadilhas 1 e 2 de CURSO.md: ``supported_ops`` int8 com entrada
e saída int8 e um dataset representativo; quantizar a entrada e desquantizar a saída).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

import numpy as np


def _interpretador(modelo_tflite: bytes):
    """Interpretador TFLite: o LiteRT (``ai_edge_litert``) quando está instalado, senão o
    ``tf.lite.Interpreter`` (obsoleto desde o TF 2.20)."""
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


def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    """Modelo TFLite totalmente inteiro (pesos, ativações, entrada e saída int8), calibrado com
    até ``num_amostras`` exemplos de ``dados_calibracao``. Apresentado no caderno 05_poda_e_quantizacao
    (é o exercício do caderno 01_ptq_tflite)."""
    import tensorflow as tf

    amostras = np.asarray(dados_calibracao, dtype=np.float32)[:num_amostras]

    def dataset_representativo():
        for i in range(len(amostras)):
            yield [amostras[i : i + 1]]

    conversor = tf.lite.TFLiteConverter.from_keras_model(modelo)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    conversor.representative_dataset = dataset_representativo
    conversor.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conversor.inference_input_type = tf.int8
    conversor.inference_output_type = tf.int8
    return conversor.convert()


def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    """Saídas float32 de um modelo TFLite (float ou int8) para um lote ``x`` de qualquer
    tamanho. Apresentado no caderno 05_poda_e_quantizacao (é o exercício do caderno 01_ptq_tflite)."""
    x = np.asarray(x, dtype=np.float32)
    interpretador = _interpretador(modelo_tflite)
    entrada = interpretador.get_input_details()[0]
    interpretador.resize_tensor_input(entrada["index"], list(x.shape))
    interpretador.allocate_tensors()
    entrada = interpretador.get_input_details()[0]
    saida = interpretador.get_output_details()[0]
    if np.issubdtype(entrada["dtype"], np.integer):
        escala, ponto_zero = entrada["quantization"]
        info = np.iinfo(entrada["dtype"])
        x = np.clip(np.round(x / escala) + ponto_zero, info.min, info.max).astype(entrada["dtype"])
    interpretador.set_tensor(entrada["index"], x)
    interpretador.invoke()
    y = interpretador.get_tensor(saida["index"])
    if np.issubdtype(saida["dtype"], np.integer):
        escala, ponto_zero = saida["quantization"]
        y = (y.astype(np.float32) - ponto_zero) * escala
    return np.asarray(y, dtype=np.float32)


def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão (0..1) de um modelo TFLite em ``(x, y)``. Apresentado no caderno
    05_poda_e_quantizacao (é o exercício do caderno 01_ptq_tflite)."""
    previstas = np.argmax(inferencia_tflite(modelo_tflite, x), axis=-1)
    return float(np.mean(previstas == np.asarray(y).reshape(-1)))


def tensores_int8(modelo_tflite: bytes) -> dict[str, np.ndarray]:
    """Os tensores constantes int8 com mais de 1000 valores (os pesos grandes) de um modelo
    TFLite, pelo nome. Apresentado no caderno 05_poda_e_quantizacao."""
    interpretador = _interpretador(modelo_tflite)
    interpretador.allocate_tensors()
    tensores = {}
    for det in interpretador.get_tensor_details():
        if det["dtype"] == np.int8 and int(np.prod(det["shape"])) > 1000:
            try:
                tensores[det["name"]] = np.array(interpretador.get_tensor(det["index"]))
            except ValueError:  # tensor intermédio sem dados
                continue
    return tensores


@contextlib.contextmanager
def sem_mensagens_internas():
    """Cala o stderr durante o bloco: as mensagens internas do conversor TFLite e do
    interpretador (``fully_quantize: ...``, ``Created TensorFlow Lite XNNPACK delegate``), que o
    C++ escreve diretamente no ecrã, e os avisos de Python. Na avaliação automática, qualquer
    texto em stderr numa célula de teste conta como erro. Os erros (exceções) continuam a
    aparecer. Apresentado no caderno 05_poda_e_quantizacao."""
    sys.stderr.flush()
    copia = os.dup(2)
    nulo = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nulo, 2)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(copia, 2)
        os.close(copia)
        os.close(nulo)
