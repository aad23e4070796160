"""Medições da secção 4.2 (poda, poda + quantização, destilação) com as soluções de
referência, no próprio processo.

``medir_42()`` devolve linhas ``(métrica, valor medido, alvo, "✅"/"❌")``:

* pesos gzip do modelo de base denso vs podado a 80% (``podar_progressivamente``);
* TFLite float (gzip) vs TFLite podado + int8 (gzip) e a exatidão de cada um
  (``otimizar_modelo_completo``);
* exatidão de um aluno pequeno destilado vs o mesmo aluno treinado sozinho, média ± desvio
  padrão em várias sementes, mesmas épocas.

Correr: ``.venv/bin/python -m bench.bench_42`` (imprime uma tabela em markdown).
"""

from __future__ import annotations

import statistics

import otimizacao  # noqa: F401  (define TF_USE_LEGACY_KERAS=1 antes de importar o TensorFlow)
from bench.comum import Linha, estado, num, tabela_markdown

SEMENTES = (0, 1, 2, 3, 4)
EPOCAS_ALUNO = 10




def _medir_poda(linhas: list[Linha], dados, modelo) -> None:
    from otimizacao.medidas import formatar_bytes
    from solutions import calcular_sparsity, podar_progressivamente, tamanho_gzip

    podado = podar_progressivamente(modelo, dados.x_treino, dados.y_treino,
                                    esparsidade_final=0.8, epocas=4)
    denso, esparso = tamanho_gzip(modelo), tamanho_gzip(podado)
    razao = denso / esparso
    linhas.append((
        "Pesos float32 + gzip: modelo de base denso → podado (alvo 80%, 4 épocas)",
        f"{formatar_bytes(denso)} → {formatar_bytes(esparso)} ({num(razao)}×; "
        f"esparsidade atingida {num(calcular_sparsity(podado), 4)})",
        "≥ 3× menor",
        estado(razao >= 3.0),
    ))


def _medir_poda_e_quantizacao(linhas: list[Linha], dados, modelo, esparsidade: float) -> None:
    from otimizacao.medidas import formatar_bytes
    from solutions import otimizar_modelo_completo

    r = otimizar_modelo_completo(modelo, dados.x_treino, dados.y_treino, dados.x_val,
                                 dados.y_val, esparsidade=esparsidade)
    pct = f"{esparsidade:.0%}"
    razao = r["tamanho_original"] / r["tamanho_final"]
    linhas.append((
        f"TFLite float + gzip → podado {pct} + int8 total + gzip (otimizar_modelo_completo)",
        f"{formatar_bytes(r['tamanho_original'])} → {formatar_bytes(r['tamanho_final'])} "
        f"({num(razao)}×; redução {num(r['reducao'], 1)}%)",
        "≥ 10× menor",
        estado(razao >= 10.0),
    ))
    queda = (r["precisao_original"] - r["precisao_final"]) * 100
    linhas.append((
        f"Exatidão TFLite float → podado {pct} + int8, validação digits",
        f"{num(r['precisao_original'], 3)} → {num(r['precisao_final'], 3)} "
        f"(queda de {num(queda, 1)} pontos)",
        "queda ≤ 2 pontos",
        estado(queda <= 2.0),
    ))


def _aluno(semente: int):
    import tf_keras as keras

    from otimizacao.modelos import fixar_sementes

    fixar_sementes(semente)
    return keras.Sequential([
        keras.layers.Input((8, 8, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10),
    ], name="aluno")


def _medir_destilacao(linhas: list[Linha], dados, professor) -> None:
    import tf_keras as keras

    from otimizacao.modelos import compilar, exatidao
    from solutions import Destilador

    destilados, sozinhos = [], []
    for semente in SEMENTES:
        aluno = _aluno(semente)
        destilador = Destilador(aluno, professor, alpha=0.1, temperatura=3.0)
        destilador.compile(optimizer=keras.optimizers.Adam(3e-3), metrics=["accuracy"])
        destilador.fit(dados.x_treino, dados.y_treino, epochs=EPOCAS_ALUNO, batch_size=32,
                       verbose=0)
        destilados.append(exatidao(aluno, dados.x_teste, dados.y_teste))

        sozinho = compilar(_aluno(semente), taxa=3e-3)  # mesma inicialização e mesmo treino
        sozinho.fit(dados.x_treino, dados.y_treino, epochs=EPOCAS_ALUNO, batch_size=32,
                    verbose=0)
        sozinhos.append(exatidao(sozinho, dados.x_teste, dados.y_teste))

    m_d, s_d = statistics.mean(destilados), statistics.stdev(destilados)
    m_s, s_s = statistics.mean(sozinhos), statistics.stdev(sozinhos)
    diferenca = (m_d - m_s) * 100
    linhas.append((
        f"Exatidão de teste de um aluno Dense(16) ({num(_aluno(0).count_params(), 0)} "
        f"parâmetros), destilado (α=0,1, T=3) vs sozinho; {len(SEMENTES)} sementes, "
        f"{EPOCAS_ALUNO} épocas; professor {num(exatidao(professor, dados.x_teste, dados.y_teste), 3)}",
        f"destilado {num(m_d, 3)} ± {num(s_d, 3)} vs sozinho {num(m_s, 3)} ± {num(s_s, 3)} "
        f"(diferença {num(diferenca, 1)} pontos)",
        "destilado ≥ sozinho − 1 ponto (não se exige que ganhe: docs/contrato.md#06_destilacao)",
        estado(diferenca >= -1.0),
    ))


def medir_42() -> list[Linha]:
    """Mede a secção 4.2 e devolve as linhas (métrica, valor medido, alvo, ✅/❌)."""
    from otimizacao.dados import carregar_dados
    from otimizacao.modelos import treinar_modelo_base

    dados = carregar_dados("digits")
    modelo = treinar_modelo_base(dados)
    linhas: list[Linha] = []
    _medir_poda(linhas, dados, modelo)
    # 0,8 é o valor do contrato; 0,85 mostra o compromisso (mais compressão, mais perda).
    for esparsidade in (0.8, 0.85):
        _medir_poda_e_quantizacao(linhas, dados, modelo, esparsidade)
    _medir_destilacao(linhas, dados, modelo)
    return linhas



if __name__ == "__main__":
    print(tabela_markdown(medir_42()))
