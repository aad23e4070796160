"""A avaliação deixa o feedback pronto para o «Release feedback» do nbgrader quando avalia uma
pasta recolhida pelo *Collect* (``formgrader.feedback_para_o_nbgrader``; o ciclo inteiro está em
tests/interface/test_turma.py e tests/interface/test_turma_navegador.py). Rápido: só ficheiros."""

from __future__ import annotations

import os
import stat

from autograder import formgrader
from autograder.resultado import Resultado

TAREFA = "00_numeros_e_memoria"


def _turma(tmp_path, com_nbgrader: bool = True):
    submissoes, raiz = tmp_path / "submitted", tmp_path / "raiz"
    for aluno in ("a1", "a2"):
        entrega = submissoes / aluno / TAREFA
        entrega.mkdir(parents=True)
        (entrega / f"{TAREFA}.ipynb").write_text("{}")
        if com_nbgrader:
            (entrega / "timestamp.txt").write_text(f"2026-12-04 03:01:06.{aluno} UTC")
            (entrega / "submission_secret.txt").write_text(f"segredo-{aluno}")
        feedback = raiz / "feedback" / aluno / TAREFA
        feedback.mkdir(parents=True)
        (feedback / f"{TAREFA}.html").write_text("<h1>nota</h1>")
        os.chmod(feedback / f"{TAREFA}.html", 0o660)  # como sai com o umask 007 do README
    resultados = [Resultado(aluno=a, aluno_id=a, tarefa=TAREFA) for a in ("a1", "a2")]
    return submissoes, raiz, resultados


def test_copia_o_segredo_e_a_hora_de_cada_entrega_e_deixa_o_html_legivel(tmp_path):
    submissoes, raiz, resultados = _turma(tmp_path)
    assert formgrader.feedback_para_o_nbgrader(submissoes, raiz, resultados) == 2
    for aluno in ("a1", "a2"):
        feedback = raiz / "feedback" / aluno / TAREFA
        # o segredo de cada um no seu feedback (trocados, cada aluno buscaria o do outro)
        assert (feedback / "submission_secret.txt").read_text() == f"segredo-{aluno}"
        assert (feedback / "timestamp.txt").read_text().endswith(f"{aluno} UTC")
        assert stat.S_IMODE(os.stat(feedback / "submission_secret.txt").st_mode) == 0o640
        assert os.stat(feedback / f"{TAREFA}.html").st_mode & 0o004


def test_fora_de_uma_turma_nao_faz_nada(tmp_path):
    submissoes, raiz, resultados = _turma(tmp_path, com_nbgrader=False)
    assert formgrader.feedback_para_o_nbgrader(submissoes, raiz, resultados) == 0
    feedback = raiz / "feedback" / "a1" / TAREFA
    assert not (feedback / "submission_secret.txt").exists()
    assert stat.S_IMODE(os.stat(feedback / f"{TAREFA}.html").st_mode) == 0o660


def test_uma_ligacao_simbolica_na_entrega_nao_e_seguida(tmp_path):
    # A avaliação corre como root: um «segredo» que aponta para um ficheiro de outro não é lido.
    submissoes, raiz, resultados = _turma(tmp_path)
    alheio = tmp_path / "alheio.txt"
    alheio.write_text("não é teu")
    segredo = submissoes / "a1" / TAREFA / "submission_secret.txt"
    segredo.unlink()
    segredo.symlink_to(alheio)
    assert formgrader.feedback_para_o_nbgrader(submissoes, raiz, resultados) == 1
    assert not (raiz / "feedback" / "a1" / TAREFA / "submission_secret.txt").exists()
    assert (raiz / "feedback" / "a2" / TAREFA / "submission_secret.txt").exists()
