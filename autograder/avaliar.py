"""O trabalho do professor: avaliar uma turma com o nbgrader (``make avaliar``).

    make avaliar                       avalia a turma de demonstração (ver abaixo)
    make avaliar SUBMISSOES=pasta      avalia pasta/<aluno>/<tarefa>/*.ipynb

A turma de demonstração tem três alunos por caderno:
    referencia     o caderno source (com as soluções): tem de ter a nota máxima;
    so_esqueletos  o caderno de course/ por tocar: tem de ter 0;
    meio_certo     referência em parte dos exercícios e um erro típico nos outros
                   (autograder/variantes/<caderno>.py, MEIO_CERTO).

O resultado: uma tabela no ecrã (pontos por aluno e por exercício), ``autograder/grades.csv``
(exportado pelo nbgrader), ``autograder/notas_por_exercicio.csv`` e o feedback HTML de cada
aluno em ``autograder/feedback/<aluno>/<tarefa>/``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import comum, construir, entregas, motor
from autograder.construir import (  # noqa: F401 (variantes: usado pelos testes)
    AUTOGRADER,
    COURSE,
    FIM_SOLUCAO,
    INICIO_SOLUCAO,
    nbgrader_meta,
    variantes,
)

DEMO = AUTOGRADER / "turma_demo"


# --------------------------------------------------------------------------- respostas
def sem_marcas(fonte: str) -> str:
    """O código de referência de uma célula source, sem as linhas BEGIN/END SOLUTION."""
    return "\n".join(
        linha for linha in fonte.split("\n") if linha.strip() not in (INICIO_SOLUCAO, FIM_SOLUCAO)
    )


def respostas_referencia(source: Path) -> dict[str, str]:
    """grade_id → código de referência de cada célula de solução do caderno source."""
    nb = nbformat.read(source, as_version=4)
    return {
        nbgrader_meta(c)["grade_id"]: sem_marcas(c.source)
        for c in nb.cells
        if nbgrader_meta(c).get("solution")
    }


def caderno_com_respostas(base: Path, respostas: dict[str, str]):
    """Uma cópia do caderno ``base`` com as células de solução trocadas por ``respostas``."""
    nb = nbformat.read(base, as_version=4)
    for celula in nb.cells:
        gid = nbgrader_meta(celula).get("grade_id")
        if nbgrader_meta(celula).get("solution") and gid in respostas:
            celula.source = respostas[gid].strip("\n")
    return nb


def criar_turma_demo(raiz: Path, tarefas: list[str], destino: Path = DEMO) -> Path:
    """Escreve ``destino/<aluno>/<tarefa>/<tarefa>.ipynb`` para os três alunos de demonstração."""
    if destino.exists():
        shutil.rmtree(destino)
    for tarefa in tarefas:
        source = raiz / "source" / tarefa / f"{tarefa}.ipynb"
        referencia = respostas_referencia(source)
        meio = dict(referencia)
        var = variantes(tarefa)
        if var is not None:
            for gid, erro in getattr(var, "MEIO_CERTO", {}).items():
                meio[gid] = var.ERRADAS[erro][1]
        alunos = {
            "referencia": nbformat.read(source, as_version=4),
            "so_esqueletos": nbformat.read(COURSE / f"{tarefa}.ipynb", as_version=4),
            "meio_certo": caderno_com_respostas(COURSE / f"{tarefa}.ipynb", meio),
        }
        for aluno, nb in alunos.items():
            pasta = destino / aluno / tarefa
            pasta.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, pasta / f"{tarefa}.ipynb")
    return destino


# --------------------------------------------------------------------------- avaliação
def entregas_a_avaliar(submissoes: Path, tarefas: list[str]) -> list[tuple[str, str, Path]]:
    """(aluno, tarefa, pasta) para cada aluno de ``submissoes`` e cada tarefa (mesmo as que o
    aluno não entregou: essas valem 0, com o motivo)."""
    if not submissoes.is_dir():
        raise SystemExit(
            f"❌ A pasta de submissões {submissoes} não existe. Indica uma pasta com "
            "<aluno>/<tarefa>/<caderno>.ipynb, por exemplo: make avaliar SUBMISSOES=entregas"
        )
    alunos = sorted(p for p in submissoes.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not alunos:
        raise SystemExit(
            f"❌ Não encontrei pastas de alunos em {submissoes}: esperava <aluno>/<tarefa>/<caderno>.ipynb "
            f"(tarefas: {', '.join(tarefas)})."
        )
    return [(p.name, tarefa, p / tarefa) for p in alunos for tarefa in tarefas]


def linha_do_resultado(r: motor.Resultado) -> str:
    """O que o ecrã diz de uma entrega acabada: a nota e, se esta corrida não a avaliou (a mesma
    entrega e a mesma avaliação de uma corrida anterior), que a nota foi reutilizada e de quando."""
    nota = "NÃO AVALIADA (falha da avaliação)" if r.nao_avaliada else f"{r.total:g}/{r.maximo:g}"
    if r.reutilizado:
        quando = f"em {r.avaliado_em}" if r.avaliado_em else "numa corrida anterior"
        como = f"(nota reutilizada, avaliada {quando}; REFAZER=1 avalia de novo)"
    else:
        como = f"avaliada em {r.segundos:.0f} s"
    return (f"  {r.aluno} · {r.tarefa}: {nota} {como}"
            + (f" ({len(r.motivos)} aviso(s))" if r.motivos else ""))


def avaliar_todas(raiz: Path, lista: list[tuple[str, str, Path]], workers: int, limites: motor.Limites,
                  refazer: bool = False, intervalo: float | None = None) -> list[motor.Resultado]:
    """Avalia as entregas em paralelo, com progresso; Ctrl-C para sem perder o que já acabou.

    A barra avança a cada entrega que acaba e, enquanto nenhuma acaba, diz quais estão a ser
    avaliadas e há quanto tempo (atualizada a cada segundo num terminal; a cada 15 s num registo)."""
    import time
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from tqdm import tqdm

    resultados: list[motor.Resultado] = []
    falhas = 0
    barra = tqdm(total=len(lista), desc="A avaliar", unit="entrega", file=sys.stdout, dynamic_ncols=True)
    if intervalo is None:
        intervalo = 1.0 if sys.stdout.isatty() else 15.0
    em_curso: dict[tuple[str, str], float] = {}
    trinco = threading.Lock()

    def avaliar(aluno: str, tarefa: str, pasta: Path) -> motor.Resultado:
        with trinco:
            em_curso[(aluno, tarefa)] = time.monotonic()
        try:
            return motor.avaliar_entrega(raiz, tarefa, aluno, pasta, limites, refazer)
        finally:
            with trinco:
                em_curso.pop((aluno, tarefa), None)

    def mostrar_em_curso(refresh: bool = True) -> None:
        agora = time.monotonic()
        with trinco:
            correm = sorted(em_curso.items(), key=lambda x: x[1])
        partes = [f"{aluno} · {tarefa} há {agora - t0:.0f} s" for (aluno, tarefa), t0 in correm]
        texto = ("a avaliar " + ", ".join(partes)) if partes else ""
        if falhas:
            texto += ("; " if texto else "") + f"com avisos: {falhas}"
        barra.set_postfix_str(texto, refresh=refresh)

    executor = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futuros = {executor.submit(avaliar, aluno, tarefa, pasta): (aluno, tarefa) for aluno, tarefa, pasta in lista}
        pendentes = set(futuros)
        while pendentes:
            acabados, pendentes = wait(pendentes, timeout=intervalo, return_when=FIRST_COMPLETED)
            for futuro in acabados:
                aluno, tarefa = futuros[futuro]
                try:
                    r = futuro.result()
                except motor.Interrompida:
                    continue
                except Exception as erro:  # um erro do próprio motor não pode parar a turma nem dar 0
                    r = motor.Resultado(aluno, entregas.id_seguro(aluno), tarefa,
                                        nao_avaliada=f"Erro interno ao avaliar ({type(erro).__name__}: {erro}).")
                resultados.append(r)
                if r.motivos or not r.avaliado:
                    falhas += 1
                barra.write(linha_do_resultado(r))
                mostrar_em_curso(refresh=False)  # a que acabou já saiu da lista
                barra.update(1)
            if not acabados:
                mostrar_em_curso()
    except KeyboardInterrupt:
        motor.matar_todos()
        executor.shutdown(wait=False, cancel_futures=True)
        barra.close()
        print(f"\n⏸  Avaliação interrompida: {len(resultados)} entrega(s) avaliada(s) ficam guardadas. "
              "Corre o mesmo comando para continuar (REFAZER=1 para avaliar tudo de novo).")
        raise SystemExit(130) from None
    executor.shutdown(wait=True)
    barra.close()
    return sorted(resultados, key=lambda r: (r.tarefa, r.aluno))


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
            ordem = list(motor.celulas_avaliadas(nbformat.read(source, as_version=4))) if source.exists() else []
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


# --------------------------------------------------------------------------- o formgrader
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


def sincronizar_formgrader(raiz: Path, resultados: list[motor.Resultado], pastas: dict[tuple[str, str], Path],
                           lista: dict[str, tuple[str, str, str | None]] | None = None) -> None:
    """Deixa o formgrader a mostrar o que esta avaliação fez (depois do ``motor.registar``).

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
            if r.nao_avaliada:  # o gradebook e as pastas ficam como estavam (motor.registar)
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


def _rotulo(celula: str) -> str:
    return celula.removeprefix("teste_")


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:g}"


def tabela(lista: list[Nota]) -> str:
    """Tabela em texto: uma por tarefa, um aluno por linha, uma coluna por célula avaliada."""
    blocos = []
    for tarefa in dict.fromkeys(n.tarefa for n in lista):
        desta = [n for n in lista if n.tarefa == tarefa]
        celulas = list(dict.fromkeys(n.celula for n in desta))
        maximos = {n.celula: n.maximo for n in desta}
        alunos = list(dict.fromkeys(n.aluno for n in desta))
        cab = ["aluno"] + [f"{_rotulo(c)} (/{_fmt(maximos[c])})" for c in celulas] + ["total", "%"]
        linhas = [cab]
        for aluno in alunos:
            por_celula = {n.celula: n.pontos for n in desta if n.aluno == aluno}
            total = sum(p for p in por_celula.values() if p is not None)
            maximo = sum(maximos.values())
            pendente = any(p is None for p in por_celula.values())
            linhas.append(
                [aluno]
                + [_fmt(por_celula.get(c)) for c in celulas]
                + [f"{_fmt(total)}/{_fmt(maximo)}" + (" + ?" if pendente else ""), f"{100 * total / maximo:.0f} %"]
            )
        larguras = [max(len(linha[i]) for linha in linhas) for i in range(len(cab))]
        texto = [f"Tarefa {tarefa}"]
        for j, linha in enumerate(linhas):
            texto.append(" | ".join(v.ljust(larguras[i]) if i == 0 else v.rjust(larguras[i]) for i, v in enumerate(linha)))
            if j == 0:
                texto.append("-+-".join("-" * w for w in larguras))
        blocos.append("\n".join(texto))
    legenda = "«?» = resposta livre ainda por avaliar à mão (no formgrader do nbgrader)."
    return "\n\n".join(blocos) + ("\n" + legenda if any(n.pontos is None for n in lista) else "")


def escrever_csv(lista: list[Nota], destino: Path) -> None:
    with destino.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["aluno", "tarefa", "celula", "pontos", "maximo"])
        for n in lista:
            w.writerow([n.aluno, n.tarefa, n.celula, "" if n.pontos is None else n.pontos, n.maximo])


def escrever_relatorio(resultados: list[motor.Resultado], destino: Path) -> None:
    """O companheiro do grades.csv: os motivos de cada entrega, para o professor e o aluno."""
    linhas = ["# Relatório da avaliação", "",
              "Motivos registados por entrega (o que correu mal e o que fazer). Entregas sem motivos "
              "foram avaliadas normalmente.", ""]
    if motor.aviso_isolamento():
        linhas += [f"> ⚠️ {motor.aviso_isolamento()}", ""]
    linhas += ["| aluno | tarefa | pontos | motivos |", "| --- | --- | --- | --- |"]
    for r in resultados:
        todos = ([f"**NÃO AVALIADA** (falha da avaliação, não do aluno; corre o mesmo comando para a avaliar): "
                  f"{r.nao_avaliada}"] if r.nao_avaliada else []) + r.motivos
        motivos = "<br>".join(m.replace("|", "\\|") for m in todos) or "—"
        pontos = "não avaliada" if r.nao_avaliada else f"{r.total:g}/{r.maximo:g}"
        linhas.append(f"| {r.aluno} | {r.tarefa} | {pontos} | {motivos} |")
    destino.write_text("\n".join(linhas) + "\n", encoding="utf-8")


def feedback_para_o_nbgrader(submissoes: Path, raiz: Path, resultados: list[motor.Resultado]) -> int:
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


@contextlib.contextmanager
def _terminar_como_ctrl_c():
    """SIGTERM (um ``kill``, o fim de uma sessão, o ``timeout``) e SIGHUP (o terminal fechou) param
    a avaliação como o Ctrl-C: os processos dela morrem e nada de novo arranca. Sem isto, o
    Python morria sem matar os kernels e as corridas do ``localizar.py`` em curso."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interromper(numero, _quadro):
        raise KeyboardInterrupt(signal.Signals(numero).name)

    anteriores = {s: signal.signal(s, interromper) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, anterior in anteriores.items():
            signal.signal(s, anterior)


def main(argv: list[str] | None = None) -> int:
    with _terminar_como_ctrl_c():
        return _main(argv)


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Avalia submissões com o nbgrader e mostra as notas.")
    ap.add_argument("--submissoes", type=Path, help="pasta <aluno>/<tarefa>/*.ipynb (sem ela: turma de demonstração)")
    ap.add_argument("--tarefas", nargs="*", help="só estas tarefas (ex.: 00_numeros_e_memoria)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="entregas avaliadas em paralelo")
    ap.add_argument("--refazer", action="store_true", help="avalia de novo mesmo as entregas já avaliadas")
    ap.add_argument("--tempo-celula", type=int, default=motor.Limites.tempo_celula, help="segundos por célula")
    ap.add_argument("--tempo-entrega", type=int, default=motor.Limites.tempo_entrega, help="segundos por entrega")
    ap.add_argument("--memoria-mb", type=int, default=motor.Limites.memoria_mb, help="memória por processo (MB)")
    ap.add_argument("--motor", help="tcp://servidor:8786: entregas como tarefas do Dask (local: um LocalCluster)")
    ap.add_argument("--alunos", type=Path,
                    help="lista da turma (CSV numero,nome,email, a do make turma): os nomes no formgrader")
    ap.add_argument("--raiz", type=Path, default=AUTOGRADER, help=argparse.SUPPRESS)  # para os testes
    args = ap.parse_args(argv)
    limites = motor.Limites(tempo_celula=args.tempo_celula, tempo_entrega=args.tempo_entrega,
                            memoria_mb=args.memoria_mb)

    raiz = args.raiz.resolve()
    raiz.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(construir.RAIZ))
    lista_turma = ler_lista_da_turma(args.alunos.resolve()) if args.alunos else None
    if (erro_gradebook := motor.verificar_gradebook(raiz)) is not None:  # GRADEBOOK=postgresql://…
        print(f"❌ {erro_gradebook}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(construir.RAIZ))
    # O gradebook principal nunca se apaga: guarda as notas e os comentários dados à mão.
    try:
        tarefas = construir.construir(raiz, so=args.tarefas or None)
    except construir.ErroConstrucao as erro:
        print(f"❌ {erro}", file=sys.stderr)
        return 1
    submissoes = args.submissoes.resolve() if args.submissoes else criar_turma_demo(raiz, tarefas, raiz / "turma_demo")
    lista = entregas_a_avaliar(submissoes, tarefas)
    alunos = sorted({a for a, _, _ in lista})
    print(f"» {len(alunos)} aluno(s), {len(tarefas)} tarefa(s), {len(lista)} entrega(s), "
          f"{args.workers} em paralelo")
    if lista_turma is not None:
        fora = [a for a in alunos if a not in lista_turma and entregas.id_seguro(a) not in lista_turma]
        if fora:
            print(f"ℹ️  Fora da lista da turma {args.alunos} (no formgrader, o nome vem da pasta): {', '.join(fora)}")
    if motor.aviso_isolamento():
        print(f"⚠️  {motor.aviso_isolamento()}")
    print(f"» {motor.aquecer_cache(raiz)}")
    # A caixa de areia monta-se uma vez antes de avaliar quem quer que seja: se não montar, nada
    # é avaliado (nenhuma entrega fica com uma nota por culpa da máquina).
    if (erro_caixa := motor.verificar_caixa(raiz, limites)) is not None:
        print(f"❌ {erro_caixa}", file=sys.stderr)
        return 1
    if args.motor:  # o Dask (autograder/distribuido.py); sem ele, as threads desta máquina
        from autograder import distribuido
        resultados = distribuido.avaliar_todas(raiz, lista, args.motor, args.workers, limites, refazer=args.refazer)
    else:
        resultados = avaliar_todas(raiz, lista, args.workers, limites, refazer=args.refazer)
    # Cada passo tenta-se mesmo que um anterior tenha falhado (para um aluno ou para todos): uma
    # entrega estranha nunca fica com a turma inteira sem notas, CSV ou relatório. O que falhou
    # fica em ``falhas`` (o código de saída deixa de ser 0) e um ficheiro de um passo que falhou
    # é apagado, para que ninguém leia o de uma avaliação anterior como se fosse deste.
    falhas: list[str] = []

    def passo(o_que: str, conselho: str, funcao, *a, apagar: Path | None = None):
        try:
            return funcao(*a)
        except Exception as erro:
            detalhe = (str(erro).strip().splitlines() or [""])[0][:300]
            falhas.append(f"{o_que}: {type(erro).__name__}: {detalhe}. {conselho}")
            print(f"❌ {o_que} falhou ({type(erro).__name__}: {detalhe}).", file=sys.stderr)
            if apagar is not None:
                apagar.unlink(missing_ok=True)
            return None

    de_novo = "Corrige a causa e corre o mesmo comando outra vez (as entregas já avaliadas não são avaliadas de novo)."
    problemas = passo("Registar as notas no gradebook e gerar o feedback", de_novo, motor.registar, raiz, resultados)
    falhas += problemas or []
    passo("Preparar o feedback para o «Release feedback» do nbgrader", de_novo, feedback_para_o_nbgrader,
          submissoes, raiz, resultados)
    passo("Mostrar as entregas e os nomes dos alunos no formgrader", de_novo, sincronizar_formgrader, raiz,
          resultados, {(entregas.id_seguro(a), t): p for a, t, p in lista}, lista_turma)
    alunos_ids = {r.aluno_id: r.aluno for r in resultados}
    nao_avaliadas = {(r.aluno_id, r.tarefa) for r in resultados if r.nao_avaliada}
    passo("Exportar o grades.csv", de_novo, exportar, raiz, list(alunos_ids), tarefas, raiz / "grades.csv",
          nao_avaliadas, apagar=raiz / "grades.csv")
    lista_notas = passo("Ler as notas do gradebook", de_novo, notas, raiz, tarefas, alunos_ids)
    if lista_notas is not None:
        passo("Escrever o notas_por_exercicio.csv", de_novo, escrever_csv, lista_notas,
              raiz / "notas_por_exercicio.csv", apagar=raiz / "notas_por_exercicio.csv")
        print()
        print(passo("Mostrar a tabela das notas", de_novo, tabela, lista_notas) or "")
    else:
        (raiz / "notas_por_exercicio.csv").unlink(missing_ok=True)
        falhas.append("Escrever o notas_por_exercicio.csv, a tabela e o checklist da turma: não feitos, porque "
                      f"as notas não se leram do gradebook. {de_novo}")
    com_motivos = [r for r in resultados if r.motivos]
    if com_motivos:
        print("\nAvisos:")
        for r in com_motivos:
            for m in r.motivos:
                print(f"  {r.aluno} · {r.tarefa}: {m}")
    from autograder import checklist_turma  # por item do checklist, a % da turma que o demonstra

    if lista_notas is not None:
        print()
        passo("Fazer o checklist da turma",
              "As notas estão escritas; corre `python -m autograder.checklist_turma` para tentar outra vez.",
              checklist_turma.escrever, raiz, tarefas, alunos_ids, lista_notas)
    # O relatório por último: leva também o que falhou nos passos anteriores.
    relatorio = raiz / "relatorio_avaliacao.md"

    def relatorio_com_falhas() -> None:
        escrever_relatorio(resultados, relatorio)
        if falhas:
            with relatorio.open("a", encoding="utf-8") as f:
                f.write("\n## O que falhou nesta avaliação\n\n" + "".join(f"- {x}\n" for x in falhas))

    passo("Escrever o relatorio_avaliacao.md", de_novo, relatorio_com_falhas, apagar=relatorio)
    print()
    for nome, texto in [("grades.csv", "Notas exportadas"), ("notas_por_exercicio.csv", "Notas por exercício"),
                        ("relatorio_avaliacao.md", "Motivos de cada entrega")]:
        if (raiz / nome).exists():
            print(f"{texto}: {raiz / nome}")
    print(f"Feedback de cada aluno: {raiz / 'feedback'}/<aluno>/<tarefa>/")
    for r in resultados:
        if r.nao_avaliada:
            falhas.append(f"{r.aluno} · {r.tarefa}: NÃO AVALIADA ({r.nao_avaliada}). Fica em branco no grades.csv; "
                          "corre o mesmo comando para a avaliar (nada dela foi guardado).")
    if falhas:
        print(f"\n❌ A avaliação chegou ao fim, mas {len(falhas)} coisa(s) falharam (o resto foi escrito):",
              file=sys.stderr)
        for f in falhas:
            print(f"  - {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
