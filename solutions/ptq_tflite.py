"""Solução de referência do caderno 01_ptq_tflite — quantização pós-treino (PTQ) com
TensorFlow Lite: modelo totalmente inteiro (int8), inferência e avaliação.

Corrige duas armadilhas do texto (docs/correcoes.md#a1-int8-completo e docs/correcoes.md#a2-inferencia-int8-e-litert):

* ``target_spec.supported_types = [tf.int8]`` não dá um modelo totalmente int8; é preciso
  ``supported_ops = [TFLITE_BUILTINS_INT8]``, entrada/saída ``tf.int8`` e um dataset
  representativo;
* um modelo int8 recebe inteiros: a entrada é quantizada com a (escala, ponto zero) do tensor
  de entrada e a saída é desquantizada; e o tensor de entrada tem lote 1 até ser redimensionado.

Função auxiliar privada usada pelos exercícios (o caderno define-a antes deles):
``_interpretador``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def _interpretador(modelo_tflite: bytes):
    """Cria um interpretador TFLite para ``modelo_tflite`` (bytes), ainda sem tensores alocados.

    Usa o LiteRT (``ai_edge_litert``), o sucessor do ``tf.lite.Interpreter`` (obsoleto desde o
    TF 2.20), quando está instalado; senão (por exemplo no Windows, onde o LiteRT não tem
    rodas) recorre ao ``tf.lite.Interpreter``.
    """
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = tf.lite.Interpreter
    return Interpreter(model_content=bytes(modelo_tflite))


def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    """Converte um modelo Keras num modelo TFLite totalmente inteiro (int8).

    Pesos, ativações, entrada e saída ficam em int8. Os intervalos das ativações são
    calibrados com até ``num_amostras`` exemplos de ``dados_calibracao`` (o dataset
    representativo), passados um a um com lote 1.

    Devolve os bytes do modelo TFLite (não guarda nenhum ficheiro).
    """
    amostras = np.asarray(dados_calibracao, dtype=np.float32)[:num_amostras]

    def dataset_representativo():
        # Um exemplo de cada vez, com a dimensão do lote (1, 8, 8, 1), em float32.
        for i in range(len(amostras)):
            yield [amostras[i : i + 1]]

    conversor = tf.lite.TFLiteConverter.from_keras_model(modelo)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    conversor.representative_dataset = dataset_representativo
    # Só operações int8: a conversão falha (em vez de deixar operações em float) se alguma
    # não tiver versão inteira.
    conversor.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    # Entrada e saída também em int8 (sem isto ficam em float32).
    conversor.inference_input_type = tf.int8
    conversor.inference_output_type = tf.int8
    return conversor.convert()


def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    """Corre o modelo TFLite ``modelo_tflite`` (bytes) sobre o lote ``x`` (de qualquer tamanho).

    Funciona para modelos float e int8: se a entrada do modelo for inteira, quantiza ``x``
    com a (escala, ponto zero) do tensor de entrada; se a saída for inteira, desquantiza-a.
    Devolve sempre um ``np.ndarray`` float32 com uma linha por exemplo.
    """
    x = np.asarray(x, dtype=np.float32)
    interpretador = _interpretador(modelo_tflite)
    entrada = interpretador.get_input_details()[0]
    # O modelo convertido espera lote 1: redimensiona para o lote inteiro antes de alocar.
    interpretador.resize_tensor_input(entrada["index"], list(x.shape))
    interpretador.allocate_tensors()
    entrada = interpretador.get_input_details()[0]
    saida = interpretador.get_output_details()[0]

    if np.issubdtype(entrada["dtype"], np.integer):
        escala, ponto_zero = entrada["quantization"]
        info = np.iinfo(entrada["dtype"])
        q = np.round(x / escala) + ponto_zero
        x = np.clip(q, info.min, info.max).astype(entrada["dtype"])
    interpretador.set_tensor(entrada["index"], x)
    interpretador.invoke()
    y = interpretador.get_tensor(saida["index"])

    if np.issubdtype(saida["dtype"], np.integer):
        escala, ponto_zero = saida["quantization"]
        y = (y.astype(np.float32) - ponto_zero) * escala
    return np.asarray(y, dtype=np.float32)


def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão (entre 0 e 1) do modelo TFLite ``modelo_tflite`` nos exemplos ``x`` com
    etiquetas ``y`` (inteiros): a classe prevista é a de maior saída."""
    saidas = inferencia_tflite(modelo_tflite, x)
    previstas = np.argmax(saidas, axis=-1)
    return float(np.mean(previstas == np.asarray(y).reshape(-1)))
