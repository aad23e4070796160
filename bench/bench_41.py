"""Medições da secção 4.1 (quantização) com as soluções de referência, no próprio processo.

``medir_41()`` devolve linhas ``(métrica, valor medido, alvo, "✅"/"❌")``:

* TFLite float vs int8 (PTQ): tamanho e exatidão do modelo de base em digits;
* PyTorch fp32 vs int8 dinâmico: tamanho do state_dict e latência mediana de um MLP
  784→1024→1024→10 (dominado por ``nn.Linear``, onde a quantização dinâmica atua);
* exatidão float vs PTQ vs QAT.

Correr: ``.venv/bin/python -m bench.bench_41`` (imprime uma tabela em markdown).
"""

from __future__ import annotations

import statistics

import otimizacao  # noqa: F401  (define TF_USE_LEGACY_KERAS=1 antes de importar o TensorFlow)
from bench.comum import Linha, estado, num, tabela_markdown


def _latencias_pytorch(modelo_a, modelo_b, x, rondas: int = 11, repeticoes: int = 30):
    """Latências medianas (ms) de dois modelos medidas à vez, ronda a ronda (cada ronda:
    5 chamadas de aquecimento + ``repeticoes`` medidas), para que a carga da máquina afete os
    dois por igual. Devolve a mediana das medianas de cada modelo."""
    from solutions import medir_latencia_ms

    a, b = [], []
    for _ in range(rondas):
        a.append(medir_latencia_ms(modelo_a, x, repeticoes=repeticoes, aquecimento=5))
        b.append(medir_latencia_ms(modelo_b, x, repeticoes=repeticoes, aquecimento=5))
    return statistics.median(a), statistics.median(b)


def _medir_tflite(linhas: list[Linha]) -> None:
    import tensorflow as tf

    from otimizacao.dados import carregar_dados
    from otimizacao.medidas import formatar_bytes
    from otimizacao.modelos import treinar_modelo_base
    from solutions import avaliar_tflite, quantizar_modelo_int8, treinar_com_qat

    dados = carregar_dados("digits")
    modelo = treinar_modelo_base(dados)
    tflite_float = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    tflite_int8 = quantizar_modelo_int8(modelo, dados.x_treino)

    razao = len(tflite_float) / len(tflite_int8)
    linhas.append((
        "Tamanho TFLite float → int8 total (PTQ), CNN de base 37,7 mil parâmetros",
        f"{formatar_bytes(len(tflite_float))} → {formatar_bytes(len(tflite_int8))} ({num(razao)}×)",
        "≥ 3,5× menor",
        estado(razao >= 3.5),
    ))

    acc_float = avaliar_tflite(tflite_float, dados.x_teste, dados.y_teste)
    acc_ptq = avaliar_tflite(tflite_int8, dados.x_teste, dados.y_teste)
    queda = (acc_float - acc_ptq) * 100
    linhas.append((
        "Exatidão TFLite float → int8 (PTQ), teste digits",
        f"{num(acc_float, 3)} → {num(acc_ptq, 3)} (queda de {num(queda, 1)} pontos)",
        "queda ≤ 1 ponto",
        estado(queda <= 1.0),
    ))

    _, tflite_qat = treinar_com_qat(modelo, dados.x_treino, dados.y_treino, dados.x_val,
                                    dados.y_val, epocas=3)
    acc_qat = avaliar_tflite(tflite_qat, dados.x_teste, dados.y_teste)
    linhas.append((
        "Exatidão float / PTQ / QAT (3 épocas), TFLite, teste digits",
        f"{num(acc_float, 3)} / {num(acc_ptq, 3)} / {num(acc_qat, 3)} "
        f"(QAT {formatar_bytes(len(tflite_qat))}, {num(len(tflite_float) / len(tflite_qat))}× menor)",
        "QAT ≥ PTQ − 0,5 ponto",
        estado(acc_qat >= acc_ptq - 0.005),
    ))


def _medir_pytorch(linhas: list[Linha]) -> None:
    import torch

    from solutions import quantizar_modelo_pytorch, tamanho_modelo_mb

    torch.manual_seed(0)
    nn = torch.nn
    modelo = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                           nn.Linear(1024, 10)).eval()
    quantizado = quantizar_modelo_pytorch(modelo)

    mb_fp32, mb_int8 = tamanho_modelo_mb(modelo), tamanho_modelo_mb(quantizado)
    linhas.append((
        "Tamanho state_dict PyTorch fp32 → int8 dinâmico (MLP 784→1024→1024→10)",
        f"{num(mb_fp32)} MB → {num(mb_int8)} MB ({num(mb_fp32 / mb_int8)}×)",
        "≥ 3,9× menor",
        estado(mb_fp32 / mb_int8 >= 3.9),
    ))

    # 1 thread: numa máquina de 2 núcleos partilhada, 2 threads deram medianas instáveis
    # (picos de ~24 ms). Lote 16 é o caso com alvo (medido 1,7–2,7× de corrida para corrida,
    # Linux x86-64 com outros processos a correr); o lote 1 é informativo: aí o custo de
    # quantizar as ativações em cada chamada come quase todo o ganho (medido 0,9–1,25×).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        tempos = {}
        for lote in (16, 1):
            x = torch.randn(lote, 784)
            tempos[lote] = _latencias_pytorch(modelo, quantizado, x)
    finally:
        torch.set_num_threads(threads)
    (f16, q16), (f1, q1) = tempos[16], tempos[1]
    linhas.append((
        "Latência mediana PyTorch fp32 → int8 dinâmico (MLP, CPU, 1 thread, 11 rondas "
        f"alternadas de 30 chamadas após aquecimento; motor {torch.backends.quantized.engine})",
        f"lote 16: {num(f16, 3)} → {num(q16, 3)} ms ({num(f16 / q16)}×); "
        f"lote 1: {num(f1, 3)} → {num(q1, 3)} ms ({num(f1 / q1)}×, sem alvo)",
        "≥ 2× mais rápido (lote 16)",
        estado(f16 / q16 >= 2.0),
    ))


def medir_41() -> list[Linha]:
    """Mede a secção 4.1 e devolve as linhas (métrica, valor medido, alvo, ✅/❌)."""
    linhas: list[Linha] = []
    _medir_tflite(linhas)
    _medir_pytorch(linhas)
    return linhas



if __name__ == "__main__":
    print(tabela_markdown(medir_41()))
