"""O que o formgrader e o nbgrader precisam de ver depois de uma avaliação: as entregas em
``submitted/`` com a hora, os nomes dos alunos (da pasta ou da lista da turma) e, numa pasta
recolhida pelo *Collect*, o ``timestamp.txt`` e o segredo ao lado de cada feedback.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat

from autograder import comum, entregas
from autograder.resultado import Resultado


def nome_da_pasta(aluno: str) -> tuple[str, str]:
    """(nome próprio, apelidos) a partir do nome da pasta do aluno, com a regra do ``make turma``
    (a primeira palavra e o resto; «_» conta como espaço): «Zé Maria» → («Zé», «Maria»),
    «ana_silva» → («ana», «silva»), «ana» → («ana», «»)."""
    palavras = aluno.replace("_", " ").split()
    return (palavras[0], " ".join(palavras[1:])) if palavras else (aluno, "")


def ler_lista_da_turma(caminho: Path) -> dict[str, tuple[str, str, str | None]]:
    """A lista da turma (CSV numero,nome,email: a mesma do ``make turma``) como identificador ->
    (nome próprio, apelidos, email). A pasta de um aluno reconhece-se pelo número («12345»), pela
    conta do ``make turma`` («a12345») ou pelo nome («Zé Maria»)."""
    from turma.hub import ler_alunos  # a mesma leitura (e as mesmas mensagens) do make turma

    if not caminho.is_file():
        raise SystemExit(f"❌ A lista da turma {caminho} não existe. Indica um CSV com as colunas "
                         "numero,nome,email (o mesmo do make turma), por exemplo: make avaliar ALUNOS=turma.csv")
    lista: dict[str, tuple[str, str, str | None]] = {}
    for a in ler_alunos(caminho):
        primeiro, _, resto = a.nome.partition(" ")
        for chave in (a.numero, a.utilizador, a.nome, entregas.id_seguro(a.nome)):
            lista.setdefault(chave, (primeiro, resto, a.email or None))
    return lista


def _hora_da_entrega(pasta: Path) -> str | None:
    """A hora da entrega no formato do nbgrader (o do timestamp.txt): a do timestamp.txt que o
    ``nbgrader collect`` lá deixou, senão a do caderno entregue mais recente (None sem caderno)."""
    import datetime

    if (pasta / "timestamp.txt").is_file():
        return (pasta / "timestamp.txt").read_text(encoding="utf-8").strip() or None
    cadernos = [p for p in pasta.glob("*.ipynb") if p.is_file()] if pasta.is_dir() else []
    if not cadernos:
        return None
    quando = datetime.datetime.fromtimestamp(max(p.stat().st_mtime for p in cadernos), datetime.timezone.utc)
    return quando.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def sincronizar_formgrader(raiz: Path, resultados: list[Resultado], pastas: dict[tuple[str, str], Path],
                           lista: dict[str, tuple[str, str, str | None]] | None = None) -> None:
    """Deixa o formgrader a mostrar o que esta avaliação fez (depois do ``gradebook.registar``).

    - Cada entrega com caderno avaliado fica em ``submitted/<id>/<tarefa>/`` (é lá que o
      formgrader conta as entregas), com o caderno que foi avaliado e um ``timestamp.txt``. As
      recolhidas pelo ``nbgrader collect`` (já em ``submitted/``) não se mexem.
    - A hora da entrega (``_hora_da_entrega``) vai também para o gradebook: o formgrader só dá uma
      entrega por avaliada (nota, correção manual) se as duas horas forem iguais.
    - Os alunos ficam com nome próprio e apelidos: os da ``lista`` da turma, se lá estiverem;
      senão, se o gradebook ainda não tiver nome nenhum, os do nome da pasta. Um nome que já lá
      está (do ``make turma``, ou escrito no formgrader) só muda com a lista.
    Uma entrega sem caderno avaliado (não entregue, ilegível) não conta como entrega no formgrader
    (a nota dela, 0, está no gradebook)."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.utils import parse_utc

    submitted = raiz / "submitted"
    with Gradebook(comum.url_gradebook(raiz)) as gb:
        for aluno_id, aluno in {r.aluno_id: r.aluno for r in resultados if not r.nao_avaliada}.items():
            try:
                estudante = gb.find_student(aluno_id)
            except MissingEntry:
                continue
            dados = (lista or {}).get(aluno) or (lista or {}).get(aluno_id)
            if dados is not None:
                estudante.first_name, estudante.last_name = dados[0], dados[1]
                estudante.email = dados[2] or estudante.email
            elif not estudante.first_name and not estudante.last_name:
                estudante.first_name, estudante.last_name = nome_da_pasta(aluno)
        gb.db.commit()
        for r in resultados:
            if r.nao_avaliada:  # o gradebook e as pastas ficam como estavam (gradebook.registar)
                continue
            pasta = pastas[(r.aluno_id, r.tarefa)]
            destino = submitted / r.aluno_id / r.tarefa
            recolhida = pasta.resolve().is_relative_to(submitted.resolve())
            avaliado = raiz / "autograded" / r.aluno_id / r.tarefa / f"{r.tarefa}.ipynb"
            hora = _hora_da_entrega(pasta) if avaliado.exists() else None
            if not recolhida:
                shutil.rmtree(destino, ignore_errors=True)
                if avaliado.exists():
                    destino.mkdir(parents=True)
                    normalizado = (raiz / ".avaliacao" / r.aluno_id / r.tarefa / "submitted" / r.aluno_id / r.tarefa
                                   / f"{r.tarefa}.ipynb")
                    if normalizado.exists():  # o caderno que o nbgrader avaliou (sem saídas)
                        shutil.copy2(normalizado, destino / f"{r.tarefa}.ipynb")
                    else:  # avaliado noutra máquina (MOTOR=): o avaliado, sem as saídas
                        nb = nbformat.read(avaliado, as_version=4)
                        for celula in nb.cells:
                            if celula.cell_type == "code":
                                celula.outputs, celula.execution_count = [], None
                        nbformat.write(nb, destino / f"{r.tarefa}.ipynb")
                    if hora:
                        (destino / "timestamp.txt").write_text(hora, encoding="utf-8")
            try:
                submissao = gb.find_submission(r.tarefa, r.aluno_id)
            except MissingEntry:
                continue
            submissao.timestamp = parse_utc(hora) if hora else None
        gb.db.commit()


def feedback_para_o_nbgrader(submissoes: Path, raiz: Path, resultados: list[Resultado]) -> int:
    """Numa pasta recolhida pelo nbgrader (o *Collect* do formgrader: cada entrega traz o
    ``timestamp.txt`` e o ``submission_secret.txt``), o *Release feedback* procura esses dois
    ficheiros ao lado de cada feedback (é pelo segredo que o aluno reconhece o seu); o ``nbgrader
    autograde`` copia-os, e aqui copiam-se também. O HTML fica legível pelo grupo e pelos outros
    (o nbgrader copia-o com o mesmo modo para a troca, onde o aluno o lê; na raiz do curso quem o
    protege são as pastas). Devolve quantos feedbacks ficaram prontos (0 fora de uma turma)."""
    prontos = 0
    for r in resultados:
        entrega, destino = submissoes / r.aluno / r.tarefa, raiz / "feedback" / r.aluno_id / r.tarefa
        # Escritos pelo nbgrader do aluno: só ficheiros a sério e pequenos (a avaliação corre como
        # root e não segue uma ligação simbólica para onde quer que seja).
        nomes = [entrega / "timestamp.txt", entrega / "submission_secret.txt"]
        if not all(f.is_file() and not f.is_symlink() and f.stat().st_size <= 4096 for f in nomes):
            continue
        htmls = list(destino.glob("*.html")) if destino.is_dir() else []
        if not htmls:
            continue
        for nome in ("timestamp.txt", "submission_secret.txt"):
            shutil.copyfile(entrega / nome, destino / nome)
            os.chmod(destino / nome, 0o640)
        for html in htmls:
            os.chmod(html, os.stat(html).st_mode | 0o044)
        prontos += 1
    return prontos
