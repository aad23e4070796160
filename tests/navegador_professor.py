"""O formgrader concorda com o ``make avaliar`` (issue 24), num Chromium a sério.

Não há aqui um servidor nem uma avaliação a mais (o CI já leva ~31 min): estas verificações
correm dentro do teste do professor que já existe,
``tests/interface/test_navegador.py::test_professor_da_nota_a_mao_no_formgrader_e_ela_fica``, que já
arranca o ``make professor`` e avalia uma turma. Antes da segunda avaliação dele entra mais um
aluno, «Zé Maria» (um nome que não serve de id no nbgrader, e com um ficheiro a mais na entrega);
depois dela (a ana reutilizada, o Zé avaliado), ``depois_da_segunda_avaliacao`` verifica:

- o ecrã diz que a nota da ana foi reutilizada (não «avaliada em N s»);
- o endereço que o ``make professor`` imprimiu abre o formgrader num navegador sem sessão
  (já leva a chave de acesso: nada da página de login);
- *Manage Assignments*: 2 entregas no 02 (o ``make avaliar`` enche ``submitted/``);
- *Manage Students*: «Maria, Zé» e «, ana» (nome próprio e apelido da pasta), não «None, …»;
- *Manage Submissions* do 02: as duas avaliadas (nenhuma «needs autograding»), a ana com a nota
  dada à mão na nota total;
- o feedback do Zé tem o aviso dele (o ficheiro a mais) e não a contabilidade do professor
  (o id com que ficou guardado no nbgrader), que fica no relatório.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tests.interface.test_navegador import LIVRE, RAIZ, RESPOSTA_LIVRE, SEQ, TOKEN

ZE = "Zé Maria"


def mais_um_aluno(turma: Path) -> None:
    """«Zé Maria» entrega o 02 (por fazer, com a resposta livre) e um ficheiro que não é dele avaliar."""
    nb = nbformat.read(RAIZ / "course" / f"{SEQ}.ipynb", as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == LIVRE:
            c.source = RESPOSTA_LIVRE
    (turma / ZE / SEQ).mkdir(parents=True)
    nbformat.write(nb, turma / ZE / SEQ / f"{SEQ}.ipynb")
    (turma / ZE / SEQ / "rascunho.txt").write_text("as minhas notas\n", encoding="utf-8")


def depois_da_segunda_avaliacao(page, base: str, capturas, projeto: Path, saida: str, nota_ana: float) -> None:
    from playwright.sync_api import expect

    from autograder.entregas import id_seguro

    raiz = projeto / "professor"
    ze_id = id_seguro(ZE)
    # O ecrã: a ana não foi avaliada de novo e diz-se; o Zé foi.
    assert re.search(rf"ana · {SEQ}: [\d.]+/\d+ \(nota reutilizada, avaliada em \d{{4}}-\d\d-\d\d \d\d:\d\d", saida), saida
    assert re.search(rf"{ZE} · {SEQ}: [\d.]+/\d+ avaliada em \d+ s", saida), saida

    # O endereço impresso pelo make professor, num navegador sem sessão: o formgrader, não o login.
    impresso = re.search(r"http://localhost:\d+/formgrader\?token=\S+",
                         (projeto.parent / "casa" / "professor.log").read_text(errors="replace"))
    assert impresso, "o make professor não imprimiu o endereço do formgrader com a chave"
    porta = base.rsplit(":", 1)[1]
    assert impresso.group().startswith(f"http://localhost:{porta}/") and impresso.group().endswith(f"token={TOKEN}")
    origem = f"http://localhost:{porta}"  # a sessão (o cookie) é deste nome, não do 127.0.0.1
    contexto = page.context.browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        outra = contexto.new_page()
        outra.goto(impresso.group())
        expect(outra.locator("#main-table")).to_contain_text(SEQ, timeout=60_000)
        assert "/login" not in outra.url, outra.url
        # Manage Assignments: as duas entregas do 02 (o formgrader conta-as em submitted/).
        linha = outra.locator("#main-table tr", has_text=SEQ)
        expect(linha.locator(".num-submissions")).to_have_text("2", timeout=30_000)
        # Num separador próprio (o conselho do README), a tabela cabe: nenhuma coluna cortada.
        ultima = outra.locator("thead th", has_text="Release Feedback").bounding_box()
        assert ultima["x"] + ultima["width"] <= 1400, ultima
        capturas(outra, "formgrader_pelo_endereco_impresso_2_entregas")

        # Manage Students: nome próprio e apelido da pasta; nenhum «None».
        outra.goto(f"{origem}/formgrader/manage_students")
        tabela = outra.locator("#main-table")
        expect(tabela).to_contain_text(ze_id, timeout=60_000)
        # (a coluna do nome mostra «apelido, nome próprio»; a ana só tem nome próprio)
        assert sorted(t.strip() for t in tabela.locator(".name").all_inner_texts()) == [", ana", "Maria, Zé"]
        capturas(outra, "formgrader_alunos_com_nome")

        # Manage Submissions do 02: as duas avaliadas, com as notas do gradebook.
        outra.goto(f"{origem}/formgrader/manage_submissions/{SEQ}")
        tabela = outra.locator("#main-table")
        expect(tabela).to_contain_text(ze_id, timeout=60_000)
        expect(tabela).not_to_contain_text("needs autograding")
        linhas = {linha.locator(".student-id").inner_text().strip(): linha for linha in tabela.locator("tr").all()}
        assert set(linhas) == {"ana", ze_id}, set(linhas)
        pontos = linhas["ana"].locator(".score").inner_text()
        assert float(pontos.split("/")[0]) == nota_ana, pontos
        capturas(outra, "formgrader_entregas_avaliadas")
    finally:
        contexto.close()

    # O feedback do Zé: o aviso que é dele fica; o id no nbgrader (do professor) não.
    html = (raiz / "feedback" / ze_id / SEQ / f"{SEQ}.html").read_text(encoding="utf-8")
    assert "rascunho.txt" in html, "o aviso do ficheiro a mais saiu do feedback do aluno"
    assert ze_id not in html and "foi guardado no nbgrader" not in html
    relatorio = (raiz / "relatorio_avaliacao.md").read_text(encoding="utf-8")
    assert f"«{ZE}» foi guardado no nbgrader como «{ze_id}»" in relatorio
