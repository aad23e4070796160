"""O manifesto do curso: uma declaração por caderno (a única casa destes factos).

Cada caderno declara o nome, a secção do módulo, os exercícios avaliados com os seus pontos,
os itens do checklist do módulo que demonstra e a medição do ``make bench`` que o acompanha.
Tudo o resto deriva daqui ou é verificado contra isto:

- ``solutions`` encontra o módulo de referência de cada exercício (``solucoes``);
- o build (``autograder/construir.py``) recusa, com uma mensagem em pt-PT, um caderno que
  não esteja aqui, um exercício sem testes ocultos ou sem variantes, ou pontos que não batem;
- a tabela de cadernos do README é gerada daqui (``python -m otimizacao.manifesto``) e um
  teste confirma que está igual;
- o ``make bench`` mede as partes declaradas em ``bench``;
- o caderno do checklist (10) usa ``CHECKLIST`` e o mapa ``checklist`` de cada caderno.

Acrescentar um caderno: uma entrada em ``CADERNOS`` (ver o README, «Acrescentar um exercício»).
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
    ),
    Caderno(
        "04_poda", "4.2 Pruning", "poda",
        (_ex("mascara_magnitude", pontos=5), _ex("calcular_sparsity", pontos=3),
         _ex("podar_progressivamente", pontos=6), _ex("tamanho_gzip", pontos=3)),
        checklist=("poda",), bench=("bench.bench_42:medir_42",),
    ),
    Caderno(
        "05_poda_e_quantizacao", "4.2 Pruning + quantização", "poda_e_quantizacao",
        (_ex("otimizar_modelo_completo", pontos=6),),
        checklist=("combinar",), bench=("bench.bench_42:medir_42",),
    ),
    Caderno(
        "06_destilacao", "4.2 Knowledge Distillation", "destilacao",
        (_ex("perda_destilacao", pontos=4), _ex("perda_total", pontos=3), _ex("Destilador", pontos=6)),
        checklist=("destilacao",), bench=("bench.bench_42:medir_42",),
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


if __name__ == "__main__":
    print(tabela_readme())
