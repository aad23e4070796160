"""Solução de referência do caderno 09_pipeline_completo — «Pipeline Completo de Otimização
para M1».

Corrige o ``PipelineOtimizacaoM1`` do texto (docs/correcoes.md#a6-pipeline-do-texto e docs/correcoes.md#a10-precisao-mista):

* os métodos do texto são ``pass`` e o fluxo guarda ``temp_pruned.keras`` na pasta de
  trabalho e nunca o apaga; aqui tudo fica em memória (o conversor TFLite só usa pastas
  temporárias que ele próprio apaga);
* o texto faz ``set_global_policy('mixed_float16')`` e nunca a repõe: a política passa para
  todos os modelos construídos depois, e o ``prune_low_magnitude`` do tfmot falha sob uma
  política mista (``TypeError``, medido com tf_keras 2.21 e tfmot 0.8.1). O pipeline trabalha em
  float32 e devolve a política global como a encontrou, mesmo quando falha a meio;
* a afinação depois da poda mantém a máscara (``prune_low_magnitude`` com
  ``ConstantSparsity`` e ``UpdatePruningStep``), senão os zeros voltam a encher-se;
* o relatório compara o que é comparável: TFLite float do original, TFLite float do podado e
  TFLite int8 final, todos em bytes depois de gzip, exatidão na validação e latência mediana
  por exemplo.

Funções usadas, vindas de cadernos anteriores (o caderno 09 pede ao aluno que traga as suas):
``quantizar_modelo_int8`` e ``avaliar_tflite`` (01_ptq_tflite), ``calcular_sparsity``,
``podar_progressivamente`` e ``tamanho_gzip`` (04_poda). Do pacote ``otimizacao`` (dado ao
aluno): ``conversao.converter_float``, ``conversao.tensores_int8`` e
``conversao.interpretador`` (o ``_interpretador`` do caderno 01).
"""

from __future__ import annotations

import os

# O tfmot só funciona com Keras 2 (tf_keras): docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import time  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow_model_optimization as tfmot  # noqa: E402
import tf_keras as keras  # noqa: E402

from otimizacao import conversao  # noqa: E402
from solutions.poda import calcular_sparsity, podar_progressivamente, tamanho_gzip  # noqa: E402
from solutions.ptq_tflite import avaliar_tflite, quantizar_modelo_int8  # noqa: E402

_interpretador = conversao.interpretador


def escolher_politica_precisao(dispositivo: str) -> str:
    """A política de precisão mista do Keras para um dispositivo de cálculo.

    ``"cpu"`` → ``"float32"`` (num CPU a precisão mista só atrasa); ``"gpu"``, ``"cuda"`` e
    ``"mps"`` → ``"mixed_float16"``; ``"tpu"`` → ``"mixed_bfloat16"``. Maiúsculas e espaços à
    volta não contam (``" GPU "`` é ``"gpu"``). Qualquer outro dispositivo levanta
    ``ValueError`` com uma mensagem em pt-PT.
    """
    politicas = {
        "cpu": "float32",
        "gpu": "mixed_float16",
        "cuda": "mixed_float16",
        "mps": "mixed_float16",
        "tpu": "mixed_bfloat16",
    }
    chave = dispositivo.strip().lower() if isinstance(dispositivo, str) else None
    if chave not in politicas:
        raise ValueError(
            f"Dispositivo desconhecido: {dispositivo!r}. Usa um de {', '.join(sorted(politicas))} "
            "(maiúsculas e espaços à volta não contam)."
        )
    return politicas[chave]


class PipelineOtimizacao:
    """Pipeline completo de compressão de um modelo tf_keras: poda → afinação com a máscara
    fixa → quantização int8 completa, com um relatório medido de cada etapa.

    Uso::

        pipeline = PipelineOtimizacao(modelo, esparsidade=0.8, epocas_poda=4, epocas_afinacao=2)
        modelo_tflite = pipeline.otimizar_completo(x_treino, y_treino, x_val, y_val)
        etapas = pipeline.relatorio()       # lista de dicionários, uma etapa cada
        figura = pipeline.gerar_relatorio()  # tabela no ecrã + gráfico tamanho vs exatidão

    O ``modelo`` recebido, a política global de precisão e a pasta de trabalho ficam como
    estavam.
    """

    def __init__(self, modelo, esparsidade: float = 0.8, epocas_poda: int = 4, epocas_afinacao: int = 2):
        """Guarda o modelo e os parâmetros. Ainda não otimiza nada (isso é otimizar_completo)."""
        self.modelo = modelo
        self.esparsidade = esparsidade
        self.epocas_poda = epocas_poda
        self.epocas_afinacao = epocas_afinacao
        self.modelo_tflite = None  # os bytes do TFLite final, depois de otimizar_completo
        self._etapas = None  # as medidas de cada etapa, depois de otimizar_completo

    def otimizar_completo(self, x_treino, y_treino, x_val, y_val) -> bytes:
        """Poda uma cópia do modelo, afina-a com a máscara fixa, tira os invólucros e
        converte-a num TFLite int8 completo, cujos bytes devolve. Mede as três etapas
        (original, podado, int8) em (x_val, y_val) para o relatório.

        Trabalha em float32 e repõe a política global de precisão que encontrou; não escreve
        nenhum ficheiro; o modelo recebido não muda.
        """
        politica_anterior = keras.mixed_precision.global_policy()
        # O tfmot falha sob uma política mista e o conversor TFLite quer o modelo em float32.
        keras.mixed_precision.set_global_policy("float32")
        try:
            # 1. Poda progressiva (caderno 04): já trabalha numa cópia do modelo.
            podado = podar_progressivamente(self.modelo, x_treino, y_treino,
                                            esparsidade_final=self.esparsidade, epocas=self.epocas_poda)
            # 2. Afinação com a máscara fixa: um fit normal voltaria a encher os zeros.
            if self.epocas_afinacao > 0:
                mascara_fixa = tfmot.sparsity.keras.ConstantSparsity(
                    self.esparsidade, begin_step=0, end_step=1, frequency=1)
                envolvido = tfmot.sparsity.keras.prune_low_magnitude(podado, pruning_schedule=mascara_fixa)
                envolvido.compile(
                    optimizer=keras.optimizers.Adam(5e-4),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"],
                )
                envolvido.fit(x_treino, y_treino, batch_size=16, epochs=self.epocas_afinacao, verbose=0,
                              callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
                podado = tfmot.sparsity.keras.strip_pruning(envolvido)
            # 3. Os três TFLite: float do original, float do podado, int8 do podado (caderno 01).
            tflite_original = conversao.converter_float(self.modelo)
            tflite_podado = conversao.converter_float(podado)
            tflite_int8 = quantizar_modelo_int8(podado, x_treino, num_amostras=100)
        finally:
            keras.mixed_precision.set_global_policy(politica_anterior)

        def latencia_ms(modelo_tflite, amostras=50, aquecimento=5):
            # Mediana do tempo de uma inferência com lote 1 (um exemplo), sem as de aquecimento.
            interp = _interpretador(modelo_tflite)
            interp.allocate_tensors()
            entrada = interp.get_input_details()[0]
            x = np.asarray(x_val[:amostras], dtype=np.float32)
            if np.issubdtype(entrada["dtype"], np.integer):
                escala, ponto_zero = entrada["quantization"]
                x = np.clip(np.round(x / escala) + ponto_zero, -128, 127).astype(entrada["dtype"])
            tempos = []
            for i in range(-aquecimento, len(x)):
                interp.set_tensor(entrada["index"], x[max(i, 0) : max(i, 0) + 1])
                inicio = time.perf_counter()
                interp.invoke()
                if i >= 0:
                    tempos.append(time.perf_counter() - inicio)
            return float(np.median(tempos) * 1000)

        pesos_int8 = list(conversao.tensores_int8(tflite_int8).values())
        zeros_int8 = sum(int(np.sum(t == 0)) for t in pesos_int8) / max(1, sum(t.size for t in pesos_int8))
        self._etapas = [
            {"etapa": etapa, "tamanho_gzip": int(tamanho_gzip(b)), "precisao": float(avaliar_tflite(b, x_val, y_val)),
             "latencia_ms": latencia_ms(b), "esparsidade": float(esparsidade)}
            for etapa, b, esparsidade in [
                ("original", tflite_original, calcular_sparsity(self.modelo)),
                ("podado", tflite_podado, calcular_sparsity(podado)),
                ("int8", tflite_int8, zeros_int8),
            ]
        ]
        self.modelo_tflite = tflite_int8
        return tflite_int8

    def relatorio(self) -> list[dict]:
        """As medidas de cada etapa, por ordem: ``"original"``, ``"podado"``, ``"int8"``.

        Cada uma é um dicionário com ``etapa``, ``tamanho_gzip`` (bytes do TFLite depois de
        gzip), ``precisao`` (exatidão em x_val, entre 0 e 1), ``latencia_ms`` (mediana por
        exemplo) e ``esparsidade`` (fração de zeros nos pesos Conv/Dense dessa etapa).
        Levanta ``RuntimeError`` se ``otimizar_completo`` ainda não correu.
        """
        if self._etapas is None:
            raise RuntimeError(
                "Ainda não há relatório: corre primeiro pipeline.otimizar_completo(x_treino, y_treino, x_val, y_val)."
            )
        return [dict(etapa) for etapa in self._etapas]

    def gerar_relatorio(self):
        """Escreve no ecrã uma tabela em pt-PT (tamanho, redução ×, exatidão, latência e
        esparsidade de cada etapa) e devolve um gráfico ``matplotlib`` do tamanho contra a
        exatidão. Levanta ``RuntimeError`` se ``otimizar_completo`` ainda não correu.
        """
        etapas = self.relatorio()
        base = etapas[0]["tamanho_gzip"]
        print("RELATÓRIO FINAL DE OTIMIZAÇÃO")
        print(f"{'etapa':<10}{'tamanho (gzip)':>16}{'redução':>10}{'exatidão':>10}{'latência':>12}{'zeros':>8}")
        for e in etapas:
            print(f"{e['etapa']:<10}{e['tamanho_gzip']:>14} B{base / e['tamanho_gzip']:>9.1f}×"
                  f"{e['precisao']:>10.3f}{e['latencia_ms']:>9.3f} ms{e['esparsidade']:>8.1%}")
        figura, eixo = plt.subplots(figsize=(7, 4))
        tamanhos = [e["tamanho_gzip"] / 1024 for e in etapas]
        exatidoes = [e["precisao"] for e in etapas]
        eixo.plot(tamanhos, exatidoes, "o--", color="C0")
        for e, t, p in zip(etapas, tamanhos, exatidoes, strict=True):
            eixo.annotate(f"{e['etapa']}\n{base / e['tamanho_gzip']:.1f}× menor", (t, p),
                          textcoords="offset points", xytext=(0, 8), ha="center")
        eixo.set_xscale("log")
        eixo.set_xlabel("tamanho do TFLite depois de gzip (KB, escala logarítmica)")
        eixo.set_ylabel("exatidão na validação")
        eixo.set_ylim(min(exatidoes) - 0.05, 1.0)
        eixo.set_title("Pipeline de otimização: tamanho contra exatidão")
        figura.tight_layout()
        return figura
