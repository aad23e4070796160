"""O manifesto do curso: uma declaração por caderno (a única casa destes factos).

Cada caderno declara o nome, a secção do módulo, os exercícios avaliados com os seus pontos,
os itens do checklist do módulo que demonstra e a medição do ``make bench`` que o acompanha.
Tudo o resto deriva daqui ou é verificado contra isto:

- ``solutions`` encontra o módulo de referência de cada exercício (``solucoes``);
- ``verificacao.passou("exercicio")``, a última linha das células de teste, regista o exercício
  no registo de progresso do aluno no caderno que tem esse exercício (e recusa nomes e figuras
  que não estejam aqui);
- o build (``autograder/construir.py``) recusa, com uma mensagem em pt-PT, um caderno que
  não esteja aqui, um exercício sem testes ocultos ou sem variantes, ou pontos que não batem;
- a tabela de cadernos do README é gerada daqui (``python -m otimizacao.manifesto``) e um
  teste confirma que está igual;
- o ``make bench`` mede as partes declaradas em ``bench``;
- o caderno do checklist (10) usa ``ITENS`` (os do texto e o do curso) e ``REGRAS``; o
  checklist da turma (``autograder/checklist_turma.py``) também.

Acrescentar um caderno: uma entrada em ``CADERNOS`` (ver docs/acrescentar_exercicio.md).
Apresentado no caderno 10_checklist; usado pelo build, pelos testes e pelo bench.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Os itens do «✅ Checklist Módulo 4» do texto do módulo, palavra por palavra.
CHECKLIST: dict[str, str] = {
    "formatos": "Entendo diferença entre FP32, FP16, INT8",
    "ptq": "Consigo fazer quantização post-training (PTQ)",
    "poda": "Sei aplicar pruning progressivo",
    "destilacao": "Conheço knowledge distillation",
    "taxa": "Implementei learning rate scheduling",
    "paragem": "Uso early stopping e checkpointing",
    "combinar": "Consigo combinar técnicas (pruning + quantização)",
}

# O item que o curso acrescenta ao do texto para a secção 4.3 (não é citação do texto: os itens
# «taxa» e «paragem» pedem que se use; este, que se escreva um schedule e um callback próprios).
ITENS_DO_CURSO: dict[str, str] = {
    "agendas_callbacks": "Escrevo os meus próprios schedules e callbacks para o Keras (4.3)",
}
# Todos os itens do caderno 10_checklist: os do texto, pela ordem do texto, e o do curso.
ITENS: dict[str, str] = {**CHECKLIST, **ITENS_DO_CURSO}

# A tabela de regras do checklist (caderno 10_checklist; o exercício itens_demonstrados aplica-a
# a um registo de progresso, otimizacao.progresso). Cada item tem uma ou mais alternativas; basta
# uma. Uma alternativa exige que os testes visíveis de cada exercício tenham passado e que cada
# figura medida pelo aluno, (caderno, figura, operador, limite), cumpra «valor operador limite».
# Os limites são os dos testes dos cadernos (docs/contrato.md). O checklist da turma
# (autograder/checklist_turma.py) usa só os exercícios: o professor tem as notas, não as figuras.
REGRAS: dict[str, tuple[dict, ...]] = {
    "formatos": ({"exercicios": ("memoria_modelo", "quantizar_afim", "empacotar_int4"), "figuras": ()},),
    "ptq": ({"exercicios": ("quantizar_modelo_int8", "inferencia_tflite", "avaliar_tflite"),
             "figuras": (("01_ptq_tflite", "razao_int8", ">=", 3.3), ("01_ptq_tflite", "queda_pontos", "<=", 2.0))},),
    "poda": ({"exercicios": ("calcular_sparsity", "podar_progressivamente", "tamanho_gzip"),
              "figuras": (("04_poda", "erro_esparsidade", "<=", 0.02),)},),
    "destilacao": ({"exercicios": ("perda_destilacao", "perda_total", "Destilador"),
                    "figuras": (("06_destilacao", "exatidao_destilado", ">=", 0.90),)},),
    "taxa": ({"exercicios": ("WarmUpCosineDecay", "simular_reduce_on_plateau"), "figuras": ()},),
    "paragem": ({"exercicios": ("epoca_de_paragem", "TopKCheckpoint"), "figuras": ()},),
    "combinar": (
        {"exercicios": ("otimizar_modelo_completo",),
         "figuras": (("05_poda_e_quantizacao", "razao", ">=", 8.0), ("05_poda_e_quantizacao", "queda_pontos", "<=", 3.0))},
        {"exercicios": ("PipelineOtimizacao",),
         "figuras": (("09_pipeline_completo", "razao", ">=", 8.0), ("09_pipeline_completo", "queda_pontos", "<=", 3.0))},
    ),
    "agendas_callbacks": ({"exercicios": ("WarmUpCosineDecay", "TopKCheckpoint"), "figuras": ()},),
}


@dataclass(frozen=True)
class Exercicio:
    """Um exercício avaliado: as funções/classes que o aluno escreve (uma ou um par, como
    ``quantizar_afim``/``desquantizar``) ou o ``grade_id`` de uma resposta livre (``livre``)."""

    nomes: tuple[str, ...]
    pontos: float
    livre: bool = False


@dataclass(frozen=True)
class Caderno:
    nome: str  # NN_nome: o ficheiro course/NN_nome.ipynb e a tarefa do nbgrader
    seccao: str  # a secção do módulo que o caderno percorre, como na tabela do README
    solucoes: str  # o módulo de solutions/ com a referência dos exercícios
    exercicios: tuple[Exercicio, ...]
    checklist: tuple[str, ...] = ()  # chaves de CHECKLIST que o caderno demonstra
    bench: tuple[str, ...] = field(default=())  # «módulo:função» de bench/ que mede a técnica
    # As figuras que o caderno regista no progresso do aluno (verificacao.passou(..., figuras=…) e
    # verificacao.registar_medidas, que recusam outras): as que as REGRAS leem e as que o caderno 10
    # mostra; tests/construcao/test_checklist_cadernos.py confere-as.
    figuras: tuple[str, ...] = ()

    @property
    def pontos(self) -> float:
        return sum(e.pontos for e in self.exercicios)

    @property
    def nomes(self) -> tuple[str, ...]:
        """Os nomes de código (funções e classes) dos exercícios do caderno."""
        return tuple(n for e in self.exercicios if not e.livre for n in e.nomes)


def _ex(*nomes: str, pontos: float, livre: bool = False) -> Exercicio:
    return Exercicio(tuple(nomes), pontos, livre)


CADERNOS: tuple[Caderno, ...] = (
    Caderno(
        "00_numeros_e_memoria", "4.1 O que é Quantização?", "numeros_e_memoria",
        (_ex("memoria_modelo", pontos=3), _ex("reducao_percentual", pontos=2),
         _ex("quantizar_afim", "desquantizar", pontos=5), _ex("empacotar_int4", "desempacotar_int4", pontos=4)),
        checklist=("formatos",), bench=("bench.bench_41:medir_41",),
    ),
    Caderno(
        "01_ptq_tflite", "4.1 PTQ com TensorFlow Lite", "ptq_tflite",
        (_ex("quantizar_modelo_int8", pontos=7), _ex("inferencia_tflite", pontos=5), _ex("avaliar_tflite", pontos=2)),
        checklist=("ptq",), bench=("bench.bench_41:medir_41",),
        figuras=('razao_int8', 'queda_pontos'),
    ),
    Caderno(
        "02_quantizacao_pytorch", "4.1 Quantização dinâmica em PyTorch", "quantizacao_pytorch",
        (_ex("quantizar_modelo_pytorch", pontos=5), _ex("tamanho_modelo_mb", pontos=2),
         _ex("medir_latencia_ms", pontos=4), _ex("resposta_conv2d", pontos=2, livre=True)),
        checklist=("ptq",), bench=("bench.bench_41:medir_41",),
    ),
    Caderno(
        "03_qat", "4.1 Quantization-Aware Training", "qat",
        (_ex("preparar_qat", pontos=3), _ex("treinar_com_qat", pontos=5), _ex("resposta_ptq_ou_qat", pontos=2, livre=True)),
        checklist=("ptq",), bench=("bench.bench_41:medir_41",),
        figuras=('exatidao_val_qat', 'tamanho_gzip_qat'),
    ),
    Caderno(
        "04_poda", "4.2 Pruning", "poda",
        (_ex("mascara_magnitude", pontos=5), _ex("calcular_sparsity", pontos=3),
         _ex("podar_progressivamente", pontos=6), _ex("tamanho_gzip", pontos=3)),
        checklist=("poda",), bench=("bench.bench_42:medir_42",),
        figuras=('esparsidade', 'erro_esparsidade'),
    ),
    Caderno(
        "05_poda_e_quantizacao", "4.2 Pruning + quantização", "poda_e_quantizacao",
        (_ex("otimizar_modelo_completo", pontos=6),),
        checklist=("combinar",), bench=("bench.bench_42:medir_42",),
        figuras=('razao', 'queda_pontos'),
    ),
    Caderno(
        "06_destilacao", "4.2 Knowledge Distillation", "destilacao",
        (_ex("perda_destilacao", pontos=4), _ex("perda_total", pontos=3), _ex("Destilador", pontos=6)),
        checklist=("destilacao",), bench=("bench.bench_42:medir_42",),
        figuras=('exatidao_destilado', 'exatidao_sozinho', 'ganho_pontos'),
    ),
    Caderno(
        "07_taxa_de_aprendizagem", "4.3 Learning Rate Scheduling", "taxa_de_aprendizagem",
        (_ex("WarmUpCosineDecay", pontos=5), _ex("simular_reduce_on_plateau", pontos=4)),
        checklist=("taxa",),
    ),
    Caderno(
        "08_paragem_e_checkpoints", "4.3 Early Stopping e Checkpointing", "paragem_e_checkpoints",
        (_ex("epoca_de_paragem", pontos=4), _ex("TopKCheckpoint", pontos=5)),
        checklist=("paragem",),
    ),
    Caderno(
        "09_pipeline_completo", "Pipeline Completo de Otimização para M1", "pipeline_completo",
        (_ex("escolher_politica_precisao", pontos=2), _ex("PipelineOtimizacao", pontos=8)),
        checklist=("combinar",),
        figuras=('razao', 'queda_pontos'),
    ),
    Caderno(
        "10_checklist", "Checklist Módulo 4", "checklist",
        (_ex("itens_demonstrados", pontos=3),),
    ),
)

POR_NOME: dict[str, Caderno] = {c.nome: c for c in CADERNOS}


def onde_esta(nome: str) -> Caderno:
    """O caderno que introduz o exercício ``nome`` (função, classe ou resposta livre)."""
    for caderno in CADERNOS:
        if any(nome in e.nomes for e in caderno.exercicios):
            return caderno
    raise KeyError(f"O exercício {nome!r} não está no manifesto (course/otimizacao/manifesto.py).")


def tabela_readme() -> str:
    """A tabela de cadernos do README (markdown), gerada do manifesto."""
    linhas = ["| caderno | secção do módulo | exercícios |", "|---|---|---|"]
    for c in CADERNOS:
        exercicios = ", ".join("/".join(f"`{n}`" for n in e.nomes) for e in c.exercicios if not e.livre)
        linhas.append(f"| `{c.nome}` | {c.seccao} | {exercicios} |")
    return "\n".join(linhas)


INICIO_TABELA = "<!-- tabela de cadernos: gerada do manifesto por `make notebooks`; não a edites à mão -->"
FIM_TABELA = "<!-- fim da tabela de cadernos -->"


def readme_com_tabela(texto: str) -> str:
    """O texto do README com a tabela de cadernos (entre ``INICIO_TABELA`` e ``FIM_TABELA``)
    trocada pela do manifesto. ValueError se faltar uma das marcas."""
    if INICIO_TABELA not in texto or FIM_TABELA not in texto:
        raise ValueError("O README não tem as marcas da tabela de cadernos: repõe as linhas "
                         f"«{INICIO_TABELA}» e «{FIM_TABELA}» à volta da tabela.")
    antes, resto = texto.split(INICIO_TABELA, 1)
    _, depois = resto.split(FIM_TABELA, 1)
    return f"{antes}{INICIO_TABELA}\n{tabela_readme()}\n{FIM_TABELA}{depois}"


if __name__ == "__main__":
    print(tabela_readme())
