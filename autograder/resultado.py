"""O resultado de uma entrega (``Resultado``): notas por célula, motivos em pt-PT, se foi avaliada;
guardado em ``resultado.json`` para a retoma.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.comum import nbgrader_meta


@dataclass
class Resultado:
    aluno: str  # como o professor o escreveu (pasta de entregas)
    aluno_id: str  # id seguro usado no nbgrader
    tarefa: str
    notas: dict[str, list] = field(default_factory=dict)  # grade_id -> [pontos | None, máximo]
    motivos: list[str] = field(default_factory=list)
    impressao: str = ""
    segundos: float = 0.0
    avaliado: bool = False  # o nbgrader chegou a avaliar (há caderno autograded)
    # Uma falha da própria avaliação (a caixa não arrancou, o nbgrader ou o juiz falharam): a
    # entrega fica «não avaliada» — em branco no grades.csv, nunca 0, nunca guardada na retoma.
    nao_avaliada: str = ""
    # Dos motivos, os que são só contabilidade do professor (ex.: o id no nbgrader): ficam no
    # relatório e no ecrã, não no feedback do aluno.
    so_professor: list[str] = field(default_factory=list)
    avaliado_em: str = ""  # quando foi avaliada (hora local), para a retoma o dizer
    reutilizado: bool = False  # esta corrida leu a nota guardada (não avaliou de novo)

    @property
    def motivos_do_aluno(self) -> list[str]:
        return [m for m in self.motivos if m not in self.so_professor]

    @property
    def total(self) -> float:
        return sum(p for p, _ in self.notas.values() if p is not None)

    @property
    def maximo(self) -> float:
        return sum(m for _, m in self.notas.values())

    def guardar(self, caminho: Path) -> None:
        caminho.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def ler(cls, caminho: Path) -> Resultado | None:
        try:
            return cls(**json.loads(caminho.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def celulas_avaliadas(source) -> dict[str, float]:
    """grade_id -> pontos de cada célula avaliada do caderno source."""
    return {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
        for c in source.cells
        if nbgrader_meta(c).get("grade")
    }


def notas_a_zero(source) -> dict[str, list]:
    return {gid: [0.0, m] for gid, m in celulas_avaliadas(source).items()}
