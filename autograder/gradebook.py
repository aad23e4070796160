"""O gradebook principal: verificar que responde, registar as notas automáticas de uma avaliação
(sem tocar nas dadas à mão), copiar os cadernos avaliados e gerar o feedback de cada aluno.
"""

from __future__ import annotations

import contextlib
import csv
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import comum
from autograder.comum import nbgrader, nbgrader_meta
from autograder.resultado import Resultado, celulas_avaliadas


def verificar_gradebook(raiz: Path) -> str | None:
    """None se o gradebook principal responde; senão, o que está mal e o que fazer (pt-PT).
    Verifica-se antes de avaliar: um URL errado não pode deitar fora horas de avaliação."""
    url = comum.url_gradebook(raiz)
    if url.startswith("sqlite"):
        return None
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        mostrar = make_url(url).render_as_string(hide_password=True)
        motor_bd = create_engine(url)
        with motor_bd.connect():
            pass
        motor_bd.dispose()
    except Exception as erro:
        mostrar = locals().get("mostrar", "(URL inválido)")
        detalhe = (str(erro).strip().splitlines() or [""])[0][:300]
        return (f"Não consegui ligar ao gradebook {mostrar} ({type(erro).__name__}: {detalhe}). Confirma o "
                f"endereço, o utilizador e a palavra-passe em GRADEBOOK= (ou {comum.ENV_GRADEBOOK}) e que o "
                "PostgreSQL está a correr; sem GRADEBOOK, a avaliação usa o SQLite professor/gradebook.db.")
    return None


def _respostas(caderno: Path) -> dict[str, str]:
    """grade_id -> texto de cada célula de resposta de um caderno avaliado ({} se não existir)."""
    if not caderno.exists():
        return {}
    nb = nbformat.read(caderno, as_version=4)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if nbgrader_meta(c).get("solution")}


def avisos_no_feedback(html: Path, motivos: list[str]) -> str | None:
    """Põe os ``motivos`` no topo do feedback ``html``. Devolve None, ou o que falhou (pt-PT): um
    feedback que não se deixa ler ou escrever nunca para o registo do resto da turma.

    Os motivos levam texto que vem do aluno (nomes de ficheiros, marcas do nbgrader): vão
    escapados, para que nenhum «<» desses estrague a página."""
    from html import escape

    if not motivos or not html.exists():
        return None
    itens = "".join(f"<li>{escape(m, quote=False)}</li>" for m in motivos)
    bloco = f'<div class="nbg-resumo nbg-falhou"><b>Avisos da avaliação:</b><ul>{itens}</ul></div>'
    try:
        texto = html.read_text(encoding="utf-8")
        if '<div class="nbg-resumo">' in texto:
            texto = texto.replace('<div class="nbg-resumo">', bloco + '<div class="nbg-resumo">', 1)
        else:  # outro modelo de feedback: os avisos ficam logo no início do <body>
            texto = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bloco, texto, count=1) if "<body" in texto else bloco + texto
        html.write_text(texto, encoding="utf-8")
    except (OSError, UnicodeError) as erro:
        return (f"Não consegui pôr os avisos no feedback {html.name} ({type(erro).__name__}: {erro}); estão no "
                "relatorio_avaliacao.md. Corre o mesmo comando outra vez para gerar o feedback de novo.")
    return None


def registar(raiz: Path, resultados: list[Resultado]) -> list[str]:
    """Regista os resultados no gradebook principal, copia os cadernos avaliados para a raiz e
    gera o feedback (com os avisos de cada entrega), para que o formgrader, o ``nbgrader
    export`` e os alunos vejam a turma inteira.

    O gradebook principal nunca é apagado: guarda as notas e os comentários que o professor deu
    à mão no formgrader. Aqui só se escrevem as notas automáticas; uma nota dada à mão fica e
    continua a contar (como no ``nbgrader autograde``). Se o aluno mudou alguma resposta desde a
    última avaliação, as notas dadas à mão ficam marcadas para rever no formgrader.

    Uma entrega que falha aqui (o gradebook recusa-a, a cópia do caderno avaliado falha, o
    feedback dela não se gera) nunca para as outras: o que falhou entra nos motivos dela (e no
    ``relatorio_avaliacao.md``) e na lista devolvida, «aluno · tarefa: o que falhou e o que fazer»
    (vazia se tudo correu bem), para o ``make avaliar`` mostrar e sair com erro.
    """
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    problemas: list[str] = []

    def falhou(r: Resultado, mensagem: str) -> None:
        r.motivos.append(mensagem)
        problemas.append(f"{r.aluno} · {r.tarefa}: {mensagem}")

    def ultimo_erro(proc: subprocess.CompletedProcess) -> str:
        linhas = [linha.strip() for linha in f"{proc.stdout}\n{proc.stderr}".splitlines() if linha.strip()]
        erros = [linha for linha in linhas if re.search(r"\w(Error|Exception)\b", linha)]
        return (erros or linhas or [f"código {proc.returncode}"])[-1][:300]

    # add_submission do nbgrader emite avisos internos do SQLAlchemy que não dizem nada ao professor.
    warnings.filterwarnings("ignore", category=SAWarning)
    url = comum.url_gradebook(raiz)
    if url != f"sqlite:///{raiz / 'gradebook.db'}":
        # Outro gradebook principal (PostgreSQL): as tarefas entram nele pelo próprio nbgrader
        # (o build só as escreveu no SQLite da raiz, o modelo de cada entrega). O release vai para
        # uma pasta à parte: o da raiz não muda.
        for tarefa in sorted({r.tarefa for r in resultados}):
            try:
                nbgrader("generate_assignment", tarefa, "--force", "--CourseDirectory.release_directory="
                         + str(raiz / ".avaliacao" / "release_principal"), raiz=raiz, principal=True)
            except comum.ErroConstrucao as erro:  # as entregas desta tarefa falham abaixo, uma a uma
                problemas.append(f"tarefa {tarefa}: não consegui criá-la no gradebook principal "
                                 f"({str(erro).strip().splitlines()[0][:300]}).")
    with Gradebook(url) as gb:
        for r in resultados:
            if r.nao_avaliada:
                # Uma falha da avaliação não é uma nota: o gradebook, o caderno avaliado e o
                # feedback ficam como estavam (o grades.csv mostra-a em branco; ver exportar, abaixo).
                continue
            origem = raiz / ".avaliacao" / r.aluno_id / r.tarefa / "autograded" / r.aluno_id / r.tarefa
            anterior = raiz / "autograded" / r.aluno_id / r.tarefa / f"{r.tarefa}.ipynb"
            try:
                mudou = anterior.exists() and _respostas(anterior) != _respostas(origem / f"{r.tarefa}.ipynb")
            except Exception:  # um caderno avaliado estragado: não se sabe, as notas à mão ficam para rever
                mudou = True
            try:
                # Só cria o aluno: os nomes põe-nos o formgrader.py (da pasta ou da lista da turma),
                # sem apagar os que lá estão (os do make turma, os que o professor escreveu).
                try:
                    gb.find_student(r.aluno_id)
                except MissingEntry:
                    gb.add_student(r.aluno_id)
                try:
                    submissao = gb.find_submission(r.tarefa, r.aluno_id)
                except MissingEntry:
                    gb.add_submission(r.tarefa, r.aluno_id)
                    submissao = gb.find_submission(r.tarefa, r.aluno_id)
                for caderno in submissao.notebooks:
                    for nota in caderno.grades:
                        auto, _ = r.notas.get(nota.name, [0.0, None])
                        nota.auto_score = auto
                        if nota.manual_score is None:
                            nota.needs_manual_grade = auto is None
                        elif mudou:
                            nota.needs_manual_grade = True  # nota à mão sobre uma resposta que mudou: rever
                gb.db.commit()
            except Exception as erro:
                with contextlib.suppress(Exception):
                    gb.db.rollback()
                falhou(r, f"Não consegui registar esta entrega no gradebook ({type(erro).__name__}: "
                          f"{str(erro)[:300]}): no grades.csv fica a nota anterior (ou nenhuma) e o feedback "
                          "não foi gerado de novo. Corre o mesmo comando outra vez; se voltar a falhar, "
                          "confirma que o gradebook (GRADEBOOK= ou professor/gradebook.db) está acessível.")
                continue
            try:
                for pasta in ("autograded", "feedback"):
                    destino = raiz / pasta / r.aluno_id / r.tarefa
                    if destino.exists():
                        shutil.rmtree(destino)
                if origem.exists():
                    shutil.copytree(origem, raiz / "autograded" / r.aluno_id / r.tarefa)
            except OSError as erro:  # shutil.Error incluído; um caderno copiado a meio não fica
                shutil.rmtree(raiz / "autograded" / r.aluno_id / r.tarefa, ignore_errors=True)
                falhou(r, f"Não consegui copiar o caderno avaliado para {raiz / 'autograded'} "
                          f"({type(erro).__name__}: {str(erro)[:300]}): as notas estão no gradebook, mas "
                          "esta entrega fica sem feedback. Confirma o espaço em disco e as permissões dessa "
                          "pasta e corre o mesmo comando outra vez.")
        # Cadernos avaliados sem entrada no gradebook (alguém o apagou à mão): o generate_feedback
        # falharia com eles. São cópias geradas (refazem-se com REFAZER=1): saem, e diz-se quais.
        orfaos = []
        registados = {(s.assignment.name, s.student_id) for a in gb.assignments for s in a.submissions}
        for pasta in sorted((raiz / "autograded").glob("*/*")):
            if pasta.is_dir() and (pasta.name, pasta.parent.name) not in registados:
                orfaos.append(f"{pasta.parent.name}/{pasta.name}")
                shutil.rmtree(pasta, ignore_errors=True)
        if orfaos:
            print(f"ℹ️  Cadernos avaliados sem registo no gradebook (apagado à mão?), retirados de "
                  f"autograded/: {', '.join(orfaos)}. Avalia-os de novo com REFAZER=1 se precisares.")
    # O feedback (que não corre código dos alunos) gera-se de uma vez por tarefa, na raiz
    # principal, para todos os alunos com caderno avaliado (inclui as notas dadas à mão). O
    # nbgrader passa à frente de um aluno cujo feedback falha, mas sai com erro: os que ficaram
    # sem feedback (o de cada aluno desta avaliação foi apagado acima) tentam-se um a um.
    def html(r: Resultado) -> Path:
        return raiz / "feedback" / r.aluno_id / r.tarefa / f"{r.tarefa}.html"

    for tarefa in sorted({r.tarefa for r in resultados if r.avaliado}):
        desta = [r for r in resultados if r.tarefa == tarefa
                 and (raiz / "autograded" / r.aluno_id / tarefa / f"{tarefa}.ipynb").exists()]
        try:
            proc = nbgrader("generate_feedback", tarefa, "--force", raiz=raiz, principal=True, verificar=False)
            em_falta = [r for r in desta if not html(r).exists()]
            if proc.returncode != 0 and not em_falta:
                print(f"ℹ️  O nbgrader generate_feedback da tarefa {tarefa} falhou para alunos fora desta "
                      f"avaliação ({ultimo_erro(proc)}); o feedback dos alunos avaliados agora foi gerado.")
            for i, r in enumerate(em_falta):
                if i == 1 and len(em_falta) == len(desta) and not html(em_falta[0]).exists():
                    # Nem um aluno sozinho: não é o texto de um aluno, é o nbgrader (não se tenta mil vezes).
                    for resto in em_falta[1:]:
                        falhou(resto, f"O feedback desta entrega não pôde ser gerado: o nbgrader generate_feedback "
                                      f"falhou para a tarefa {tarefa} inteira ({ultimo_erro(proc)}). As notas contam "
                                      "na mesma (grades.csv). Corrige o erro e corre o mesmo comando outra vez.")
                    break
                proc_aluno = nbgrader("generate_feedback", tarefa, f"--student={r.aluno_id}", "--force",
                                      raiz=raiz, principal=True, verificar=False)
                if not html(r).exists():
                    falhou(r, f"O feedback desta entrega não pôde ser gerado ({ultimo_erro(proc_aluno)}); as notas "
                              f"contam na mesma (grades.csv). Para ver o erro inteiro, corre em {raiz}: nbgrader "
                              f"generate_feedback {tarefa} --student={r.aluno_id}; depois corre o mesmo comando "
                              "da avaliação outra vez.")
        except Exception as erro:  # o próprio nbgrader não arrancou: as outras tarefas continuam
            for r in desta:
                if not html(r).exists():
                    falhou(r, f"O feedback desta entrega não pôde ser gerado ({type(erro).__name__}: "
                              f"{str(erro)[:300]}); as notas contam na mesma (grades.csv). Corre o mesmo "
                              "comando outra vez.")
    for r in resultados:
        if (erro := avisos_no_feedback(html(r), r.motivos_do_aluno)) is not None:
            falhou(r, erro)
    return problemas


# --------------------------------------------------------------------------- ler e exportar
@dataclass
class Nota:
    aluno: str
    tarefa: str
    celula: str
    pontos: float | None  # None: ainda por avaliar à mão
    maximo: float


def notas(raiz: Path, tarefas: list[str], alunos: dict[str, str] | None = None) -> list[Nota]:
    """As notas de cada célula avaliada, lidas do gradebook principal do nbgrader (com as notas
    dadas à mão no formgrader), pela ordem das células no caderno e dos alunos por ordem alfabética.

    ``alunos``: id no nbgrader -> nome a mostrar; só estes alunos (sem ele: todos, pelo id).
    """
    from nbgrader.api import Gradebook, MissingEntry

    resultado = []
    with Gradebook(comum.url_gradebook(raiz)) as gb:
        for tarefa in tarefas:
            try:
                tarefa_db = gb.find_assignment(tarefa)
            except MissingEntry:
                continue
            source = raiz / "source" / tarefa / f"{tarefa}.ipynb"
            ordem = list(celulas_avaliadas(nbformat.read(source, as_version=4))) if source.exists() else []
            posicao = {gid: i for i, gid in enumerate(ordem)}
            desta = []
            for caderno in tarefa_db.notebooks:
                for submissao in caderno.submissions:
                    aluno_id = submissao.student.id
                    if alunos is not None and aluno_id not in alunos:
                        continue
                    for nota in submissao.grades:
                        if nota.manual_score is not None:
                            pontos = float(nota.manual_score)
                        elif nota.auto_score is None:
                            pontos = None  # resposta livre ainda por avaliar à mão
                        else:
                            pontos = float(nota.auto_score)
                        nome = alunos[aluno_id] if alunos is not None else aluno_id
                        desta.append(Nota(nome, tarefa, nota.name, pontos, float(nota.max_score)))
            desta.sort(key=lambda n: (n.aluno, posicao.get(n.celula, len(posicao)), n.celula))
            resultado += desta
    return resultado


def exportar(raiz: Path, alunos_ids: list[str], tarefas: list[str], destino: Path,
             nao_avaliadas: set[tuple[str, str]] = frozenset()) -> None:
    """``grades.csv`` com o exportador do próprio nbgrader, só com estes alunos e tarefas: cada
    avaliação exporta exatamente a turma que lhe deram (o gradebook guarda também as outras).

    As entregas ``nao_avaliadas`` (aluno_id, tarefa) ficam com a nota em branco: o nbgrader
    escreveria 0 para uma entrega sem notas, e uma falha da avaliação nunca é um 0."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    with Gradebook(comum.url_gradebook(raiz)) as gb:
        CsvExportPlugin(to=str(destino), student=list(alunos_ids), assignment=list(tarefas)).export(gb)
    if nao_avaliadas:
        with destino.open(encoding="utf-8", newline="") as f:
            linhas = list(csv.DictReader(f))
        campos = list(linhas[0]) if linhas else []
        for linha in linhas:
            if (linha.get("student_id"), linha.get("assignment")) in nao_avaliadas:
                for campo in ("raw_score", "score", "late_submission_penalty"):
                    if campo in linha:
                        linha[campo] = ""
        with destino.open("w", encoding="utf-8", newline="") as f:
            escritor = csv.DictWriter(f, fieldnames=campos)
            escritor.writeheader()
            escritor.writerows(linhas)
