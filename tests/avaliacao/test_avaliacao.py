"""O nbgrader de ponta a ponta (docs/invariantes.md: I2, I3, I4 e I6) e ``make avaliar``.

Todos os cadernos são avaliados com a turma de demonstração: referencia (o source),
so_esqueletos (course/ por tocar) e meio_certo.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import comum, construir, gradebook
from autograder.comum import nbgrader_meta

pytestmark = pytest.mark.lento

RAIZ = Path(__file__).resolve().parents[2]
TAREFAS = [p.stem for p in construir.cadernos()]


def _correr_avaliar(raiz: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(raiz), *args]
    proc = subprocess.run(cmd, cwd=RAIZ, env=env, capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """tarefa -> (raiz, saída de `autograder.avaliar`): a turma de demonstração de todos os
    cadernos, numa só avaliação (as entregas correm duas a duas, em paralelo)."""
    raiz = tmp_path_factory.mktemp("avaliacao")
    saida = _correr_avaliar(raiz, "--workers", "2").stdout
    return {tarefa: (raiz, saida) for tarefa in TAREFAS}


def _celulas_autoavaliadas(raiz: Path, tarefa: str) -> set[str]:
    nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
    return {nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


def _pontos(raiz: Path, tarefa: str) -> dict[str, dict[str, tuple]]:
    por_aluno: dict[str, dict[str, tuple]] = {}
    for n in gradebook.notas(raiz, [tarefa]):
        por_aluno.setdefault(n.aluno, {})[n.celula] = (n.pontos, n.maximo)
    return por_aluno


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_referencia_tem_tudo_esqueletos_zero_meio_certo_no_meio(demo, tarefa):
    """Invariante 2 e o critério de `make avaliar` do issue #2."""
    raiz, saida = demo[tarefa]
    auto = _celulas_autoavaliadas(raiz, tarefa)
    pontos = _pontos(raiz, tarefa)
    assert set(pontos) == {"referencia", "so_esqueletos", "meio_certo"}
    for celula in auto:
        p, m = pontos["referencia"][celula]
        assert p == m, f"referencia perdeu pontos em {celula}: {p}/{m}"
        assert pontos["so_esqueletos"][celula][0] == 0, f"so_esqueletos ganhou pontos em {celula}"
    total_meio = sum(pontos["meio_certo"][c][0] for c in auto)
    total_max = sum(pontos["referencia"][c][1] for c in auto)
    # meio_certo erra parte dos exercícios: perde pontos; e, onde há mais do que uma célula
    # avaliada, fica com alguns (com uma só célula avaliada, só pode ter 0 ou tudo).
    assert total_meio < total_max, f"meio_certo teve {total_meio}/{total_max}"
    if len(auto) > 1:
        assert total_meio > 0, f"meio_certo teve {total_meio}/{total_max}"
    assert "100 %" in saida and "so_esqueletos" in saida and "Tarefa " + tarefa in saida


def _erros(caderno: Path) -> list[str]:
    nb = json.loads(caderno.read_text(encoding="utf-8"))
    return [
        o["ename"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_cadernos_correm_do_principio_ao_fim(demo, tarefa):
    """Invariante 3: a solução corre sem erros; o caderno do aluno só falha nos esqueletos."""
    raiz, _ = demo[tarefa]
    autograded = raiz / "autograded"
    assert _erros(autograded / "referencia" / tarefa / f"{tarefa}.ipynb") == []
    erros_aluno = _erros(autograded / "so_esqueletos" / tarefa / f"{tarefa}.ipynb")
    assert erros_aluno and set(erros_aluno) == {"NotImplementedError"}, erros_aluno


def _exercicios_com_passou(tarefa: str) -> list[str]:
    """Os exercícios cujas células de teste acabam em ``verificacao.passou("nome", …)``."""
    import re

    nb = nbformat.read(comum.COURSE / f"{tarefa}.ipynb", as_version=4)
    return re.findall(r'verificacao\.passou\(\s*"(\w+)"', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))


def _saidas(caminho: Path) -> str:
    """O texto de todas as saídas (stdout) de um caderno avaliado."""
    nb = nbformat.read(caminho, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_csv_e_feedback_em_pt_pt_sem_testes_ocultos(demo, tarefa):
    raiz, _ = demo[tarefa]
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        linhas = [linha for linha in csv.DictReader(f) if linha["assignment"] == tarefa]
    assert {linha["student_id"] for linha in linhas} == {"referencia", "so_esqueletos", "meio_certo"}
    assert (raiz / "notas_por_exercicio.csv").exists()
    for aluno in ("referencia", "so_esqueletos", "meio_certo"):
        html = (raiz / "feedback" / aluno / tarefa / f"{tarefa}.html").read_text(encoding="utf-8")
        assert 'lang="pt-PT"' in html and "pontos" in html
        assert "HIDDEN TESTS" not in html
        if aluno != "referencia":  # a referência é o próprio source: as marcas são dela
            assert "BEGIN SOLUTION" not in html
        assert "Traceback (most recent call last)" not in html
        if aluno == "referencia":  # a linha ✅ de verificacao.passou: o juiz escreve-a na saída da célula
            saidas = _saidas(raiz / "autograded" / aluno / tarefa / f"{tarefa}.ipynb")
            for exercicio in _exercicios_com_passou(tarefa):
                assert f"✅ {exercicio} " in saidas and f"✅ {exercicio} " in html, (
                    f"{tarefa}: a saída das células de teste da referência (e o feedback) não tem a linha ✅ de {exercicio}")


def test_checklist_da_turma_no_fim_da_avaliacao(demo):
    """O make avaliar acaba com o checklist da turma (autograder/checklist_turma.py): com todos os
    cadernos avaliados, a referência demonstra cada item e o aluno só com esqueletos nenhum."""
    from otimizacao import manifesto

    raiz, saida = demo[TAREFAS[0]]
    with (raiz / "checklist_turma.csv").open(encoding="utf-8") as f:
        linhas = list(csv.DictReader(f))
    assert [linha["item"] for linha in linhas] == list(manifesto.ITENS)
    for linha in linhas:
        assert linha["alunos"] == "3" and 1 <= int(linha["alunos_que_demonstram"]) <= 2, linha
    assert (raiz / "checklist_turma.png").exists() and "Checklist da turma" in saida


def test_submissoes_reais_deterministicas_e_sem_acesso_a_solutions(demo, tmp_path):
    """Invariantes 4 e 6 com `--submissoes`: a mesma entrega tem a mesma nota duas vezes, e
    um aluno que tenta importar `solutions` não o consegue."""
    tarefa = TAREFAS[0]
    raiz_demo, _ = demo[tarefa]
    entregas = tmp_path / "entregas"
    shutil.copytree(raiz_demo / "turma_demo" / "meio_certo", entregas / "meio_certo")
    batoteiro = entregas / "batoteiro" / tarefa
    batoteiro.mkdir(parents=True)
    nb = nbformat.read(comum.COURSE / f"{tarefa}.ipynb", as_version=4)
    for celula in nb.cells:
        if nbgrader_meta(celula).get("solution") and celula.cell_type == "code":
            celula.source = "from solutions import *  # tenta usar a referência"
    nbformat.write(nb, batoteiro / f"{tarefa}.ipynb")

    notas = []
    for vez in (1, 2):
        raiz = tmp_path / f"raiz{vez}"
        _correr_avaliar(raiz, "--tarefas", tarefa, "--submissoes", str(entregas), "--workers", "2")
        notas.append({(n.aluno, n.celula): n.pontos for n in gradebook.notas(raiz, [tarefa])})
        caderno = raiz / "autograded" / "batoteiro" / tarefa / f"{tarefa}.ipynb"
        assert "ModuleNotFoundError" in _erros(caderno)
    assert notas[0] == notas[1]
    assert all(p == 0 for (aluno, _), p in notas[0].items() if aluno == "batoteiro")
    assert sum(p for (aluno, _), p in notas[0].items() if aluno == "meio_certo") > 0


def test_submissoes_inexistentes_dao_mensagem_clara(tmp_path):
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(tmp_path / "r"),
           "--tarefas", TAREFAS[0], "--submissoes", str(tmp_path / "nao_existe")]
    proc = subprocess.run(cmd, cwd=RAIZ, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "não existe" in (proc.stdout + proc.stderr)


# --------------------------------------------------------------------------- sequências de avaliações
SEQ = "02_quantizacao_pytorch"  # tem uma resposta livre (avaliada à mão) e corre depressa
LIVRE = "resposta_conv2d"


def _grades(raiz: Path) -> dict[str, float]:
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        return {linha["student_id"]: float(linha["score"]) for linha in csv.DictReader(f) if linha["assignment"] == SEQ}


def _dar_nota_a_mao(raiz: Path, aluno: str, pontos: float, comentario: str) -> None:
    """Como o professor no formgrader: nota e comentário manuais pela API do nbgrader."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        nota = gb.find_grade(LIVRE, SEQ, SEQ, aluno)
        nota.manual_score = pontos
        nota.needs_manual_grade = False
        gb.find_comment(LIVRE, SEQ, SEQ, aluno).manual_comment = comentario
        gb.db.commit()


def _nota_a_mao(raiz: Path, aluno: str) -> tuple[float | None, str | None]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        return (gb.find_grade(LIVRE, SEQ, SEQ, aluno).manual_score,
                gb.find_comment(LIVRE, SEQ, SEQ, aluno).manual_comment)


def test_demo_turma_entrega_tardia_e_refazer_sem_perder_notas_a_mao(demo, tmp_path):
    """Demonstração, depois uma turma, depois uma entrega tardia, depois REFAZER=1: cada
    avaliação acaba bem, exporta exatamente a turma que lhe deram, gera o feedback de todos e
    guarda as notas e os comentários dados à mão no formgrader."""
    # A demonstração já foi avaliada (fixture demo): parte-se de uma cópia dessa raiz, como um
    # professor que corre `make avaliar` e depois avalia a turma na mesma pasta.
    raiz = tmp_path / "raiz"
    shutil.copytree(demo[SEQ][0], raiz, symlinks=True)
    assert set(_grades(raiz)) == {"referencia", "so_esqueletos", "meio_certo"}
    _dar_nota_a_mao(raiz, "referencia", 2.0, "Certo.")

    turma = tmp_path / "turma"
    for aluno, origem in [("ana", raiz / "source" / SEQ), ("rui", comum.COURSE)]:
        (turma / aluno / SEQ).mkdir(parents=True)
        shutil.copy(origem / f"{SEQ}.ipynb", turma / aluno / SEQ / f"{SEQ}.ipynb")
    _correr_avaliar(raiz, "--tarefas", SEQ, "--submissoes", str(turma), "--workers", "2")
    grades = _grades(raiz)
    assert set(grades) == {"ana", "rui"}  # nenhum aluno da demonstração
    for aluno in ("ana", "rui"):
        assert (raiz / "feedback" / aluno / SEQ / f"{SEQ}.html").exists()
    auto_ana = grades["ana"]
    _dar_nota_a_mao(raiz, "ana", 1.5, "Falta dizer porquê.")

    (turma / "eva" / SEQ).mkdir(parents=True)  # entrega tardia: o mesmo comando outra vez
    shutil.copy(raiz / "source" / SEQ / f"{SEQ}.ipynb", turma / "eva" / SEQ / f"{SEQ}.ipynb")
    saida = _correr_avaliar(raiz, "--tarefas", SEQ, "--submissoes", str(turma), "--workers", "2").stdout
    grades = _grades(raiz)
    assert set(grades) == {"ana", "rui", "eva"}
    assert grades["ana"] == auto_ana + 1.5  # a nota à mão conta no grades.csv
    assert (raiz / "feedback" / "eva" / SEQ / f"{SEQ}.html").exists()
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        livre = {linha["aluno"]: linha["pontos"] for linha in csv.DictReader(f) if linha["celula"] == LIVRE}
    # ana: a nota dada à mão; eva: por avaliar à mão (""); rui não respondeu (o texto do
    # esqueleto): o nbgrader dá-lhe 0 sem precisar do professor.
    assert livre["ana"] == "1.5" and livre["eva"] == "" and livre["rui"] == "0.0"
    assert "1.5" in saida  # a tabela no ecrã também a mostra

    _correr_avaliar(raiz, "--tarefas", SEQ, "--submissoes", str(turma), "--workers", "2", "--refazer")
    assert set(_grades(raiz)) == {"ana", "rui", "eva"} and _grades(raiz)["ana"] == auto_ana + 1.5
    assert _nota_a_mao(raiz, "ana") == (1.5, "Falta dizer porquê.")
    assert _nota_a_mao(raiz, "referencia") == (2.0, "Certo.")  # a da demonstração também ficou

    # O formgrader (pela API dele, a NbGraderAPI) vê o mesmo (issue 24): as seis entregas do 02
    # (demonstração e turma), todas avaliadas, e os alunos com nome.
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    api = NbGraderAPI(coursedir=CourseDirectory(root=str(raiz)))
    todos = {"referencia", "so_esqueletos", "meio_certo", "ana", "rui", "eva"}
    assert api.get_assignment(SEQ)["num_submissions"] == len(todos)
    assert api.get_autograded_students(SEQ) == todos
    nomes = {s["id"]: (s["first_name"], s["last_name"]) for s in api.get_students()}
    assert nomes["so_esqueletos"] == ("so", "esqueletos") and nomes["ana"] == ("ana", "")
    submissoes = {s["student"]: s for s in api.get_submissions(SEQ)}
    assert submissoes["ana"]["score"] == auto_ana + 1.5  # a nota à mão também no formgrader
