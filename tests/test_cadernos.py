"""Os cadernos de course/ como ficheiros: limpos (invariante 5), metadados do nbgrader
coerentes e mensagens em pt-PT (invariante 7)."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest

from autograder import construir
from autograder.construir import nbgrader_meta

CADERNOS = construir.cadernos()
IDS = [c.stem for c in CADERNOS]

# Palavras que denunciam texto em inglês ou em português do Brasil no que o aluno vê.
PROIBIDAS = re.compile(
    r"\b(YOUR CODE HERE|YOUR ANSWER HERE|Your answer|your code|arquivo|tela|salvar|você|usuário|"
    r"registro)\b",
    re.IGNORECASE,
)


def test_ha_cadernos():
    assert CADERNOS, "course/ não tem cadernos NN_nome.ipynb"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_sem_saidas_nem_contagens(caderno):
    """Invariante 5: os cadernos versionados não têm saídas nem contagens de execução."""
    nb = json.loads(caderno.read_text(encoding="utf-8"))
    for i, celula in enumerate(nb["cells"]):
        if celula["cell_type"] == "code":
            assert celula.get("outputs") == [], f"{caderno.name}: a célula {i} tem saídas (corre nbstripout)"
            assert celula.get("execution_count") is None, f"{caderno.name}: a célula {i} tem contagem de execução"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_formato_e_metadados_nbgrader(caderno):
    nb = nbformat.read(caderno, as_version=4)
    nbformat.validate(nb)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), f"{caderno.name}: grade_id repetidos"
    pontos = 0
    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        if not meta:
            continue
        assert meta["cell_type"] == celula.cell_type
        assert celula.metadata.get("deletable") is False, f"{meta['grade_id']}: a célula avaliada não pode ser apagável"
        if meta.get("grade") and not meta.get("solution"):
            assert meta.get("locked") and celula.metadata.get("editable") is False, meta["grade_id"]
            assert meta.get("points", 0) > 0, meta["grade_id"]
            pontos += meta["points"]
    assert pontos > 0, f"{caderno.name}: não há pontos"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_texto_em_pt_pt(caderno):
    """Invariante 7: nada em inglês nem em pt-BR no que o aluno lê."""
    texto = "\n".join(c.source for c in nbformat.read(caderno, as_version=4).cells)
    encontrados = sorted(set(m.group(0) for m in PROIBIDAS.finditer(texto)))
    assert not encontrados, f"{caderno.name}: {encontrados}"


def _asserts_sem_mensagem(fonte: str) -> list[int]:
    return [no.lineno for no in ast.walk(ast.parse(fonte)) if isinstance(no, ast.Assert) and no.msg is None]


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_todos_os_asserts_explicam_o_erro(caderno):
    """Invariante 7: cada assert visível ou oculto tem uma mensagem para o aluno."""
    nb = construir.caderno_fonte(caderno)
    for celula in nb.cells:
        if nbgrader_meta(celula).get("grade") and celula.cell_type == "code":
            fonte = "\n".join(
                linha for linha in celula.source.split("\n") if "HIDDEN TESTS" not in linha
            )
            assert not _asserts_sem_mensagem(fonte), f"{nbgrader_meta(celula)['grade_id']}: assert sem mensagem"


def test_esqueleto_e_feedback_em_pt_pt():
    cfg = construir.configuracao_nbgrader()
    assert "O TEU CÓDIGO AQUI" in cfg.ClearSolutions.code_stub["python"]
    assert "ESCREVE AQUI" in cfg.ClearSolutions.text_stub
    modelo = (construir.AUTOGRADER / "modelo_feedback" / "feedback_pt" / "index.html.j2").read_text(encoding="utf-8")
    assert 'lang="pt-PT"' in modelo and "pontos" in modelo and "Score" not in modelo
