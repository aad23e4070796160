"""Avaliar uma entrega: preparar a sua raiz do nbgrader, correr o ``nbgrader autograde`` com limites
(e, se o kernel morrer, localizar a célula culpada, desativá-la e tentar de novo) e recolher as
notas e os motivos num ``Resultado`` guardado para a retoma.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import comum, entregas, juiz, kernel_na_caixa, processos
from autograder.comum import AUTOGRADER, e_teste, nbgrader_meta
from autograder.motivos import desativar, motivos_das_saidas, motivos_do_juiz
from autograder.processos import Limites
from autograder.resultado import Resultado, notas_a_zero


def _notas_do_gradebook(db: Path, tarefa: str, aluno_id: str) -> dict[str, list]:
    """grade_id -> [nota automática, máximo]; None onde não há nota automática (resposta livre).

    Só a nota automática: uma nota dada à mão no formgrader vive no gradebook principal e
    nunca é substituída (ver ``registar``)."""
    from nbgrader.api import Gradebook

    notas = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        submissao = gb.find_submission(tarefa, aluno_id)
        for caderno in submissao.notebooks:
            for nota in caderno.grades:
                auto = None if nota.auto_score is None else float(nota.auto_score)
                notas[nota.name] = [auto, float(nota.max_score)]
    return notas


def impressao_da_avaliacao() -> str:
    """O que, além da entrega e dos testes, decide uma nota: o código da avaliação
    (``autograder/``, com a configuração do nbgrader e o modelo do feedback), o pacote
    ``otimizacao`` que os cadernos importam, a lista de versões fixadas e as versões realmente
    instaladas. Uma mudança em qualquer deles faz reavaliar tudo ao retomar."""
    global _IMPRESSAO_AVALIACAO
    if _IMPRESSAO_AVALIACAO is None:
        from importlib import metadata

        projeto = AUTOGRADER.parent
        ficheiros = sorted(
            [*AUTOGRADER.glob("*.py"), *AUTOGRADER.glob("testes_ocultos/*.py"),
             *(AUTOGRADER / "modelo_feedback").rglob("*"), *(projeto / "course" / "otimizacao").glob("*.py"),
             projeto / "requirements.txt"]
        )
        versoes = []
        for linha in (projeto / "requirements.txt").read_text(encoding="utf-8").splitlines():
            nome = linha.split("#")[0].split(";")[0].split("==")[0].split("[")[0].strip()  # psycopg[binary]
            if nome:
                try:
                    versoes.append(f"{nome}={metadata.version(nome)}")
                except metadata.PackageNotFoundError:
                    versoes.append(f"{nome}=?")
        _IMPRESSAO_AVALIACAO = entregas.impressao_digital(*(f for f in ficheiros if f.is_file())) + ";".join(versoes)
    return _IMPRESSAO_AVALIACAO


_IMPRESSAO_AVALIACAO: str | None = None


TENTATIVAS = 4  # avaliações de uma entrega (a primeira e, se o kernel morrer, até 3 sem a célula culpada)


def impressao_entrega(pasta: Path, source_nb: Path, limites: Limites) -> str:
    """O que decide a nota de uma entrega: os ficheiros entregues, o source, a avaliação, os
    limites e o isolamento (igual em qualquer máquina com o mesmo ambiente: só conteúdos)."""
    return (entregas.impressao_digital(pasta, source_nb) + impressao_da_avaliacao()
            + json.dumps(asdict(limites)) + f" isolado={processos.isolamento()}")


def avaliar_entrega(raiz: Path, tarefa: str, aluno: str, pasta: Path, limites: Limites,
                    refazer: bool = False) -> Resultado:
    """Avalia a entrega ``pasta`` (a pasta <aluno>/<tarefa>) e devolve o Resultado.

    Com a caixa de areia, reserva um uid só desta entrega enquanto ela é avaliada. Uma falha da
    própria avaliação deixa o resultado «não avaliado» (``Resultado.nao_avaliada``), que não se
    guarda para a retoma: a próxima corrida avalia-a de novo."""
    with kernel_na_caixa.uid_reservado() if processos.isolamento() else contextlib.nullcontext(None) as uid:
        return _avaliar_entrega(raiz, tarefa, aluno, pasta, limites, refazer, uid)


@dataclass
class _Corrida:
    """O que as três fases de uma entrega (preparar, correr, recolher) partilham."""
    raiz: Path
    tarefa: str
    aluno_id: str
    source: nbformat.NotebookNode
    trabalho: Path  # .avaliacao/<aluno_id>/<tarefa>: a raiz do nbgrader só desta entrega
    limites: Limites
    prazo: float  # time.monotonic() do fim: um só relógio para todas as corridas desta entrega
    env: dict = field(default_factory=dict)

    @property
    def submetido(self) -> Path:
        return self.trabalho / "submitted" / self.aluno_id / self.tarefa / f"{self.tarefa}.ipynb"

    @property
    def autograded(self) -> Path:
        return self.trabalho / "autograded" / self.aluno_id / self.tarefa / f"{self.tarefa}.ipynb"

    @property
    def relatorio_juiz(self) -> Path:
        return self.trabalho / "juiz.json"


def _avaliar_entrega(raiz: Path, tarefa: str, aluno: str, pasta: Path, limites: Limites,
                     refazer: bool, uid: int | None) -> Resultado:
    inicio = time.monotonic()
    aluno_id = entregas.id_seguro(aluno)
    source_nb = raiz / "source" / tarefa / f"{tarefa}.ipynb"
    source = nbformat.read(source_nb, as_version=4)
    corrida = _Corrida(raiz, tarefa, aluno_id, source, raiz / ".avaliacao" / aluno_id / tarefa, limites,
                       inicio + limites.tempo_entrega)
    impressao = impressao_entrega(pasta, source_nb, limites)
    guardado = Resultado.ler(corrida.trabalho / "resultado.json")
    if guardado is not None and guardado.impressao == impressao and not refazer and not guardado.nao_avaliada:
        guardado.reutilizado = True
        return guardado

    resultado = Resultado(aluno, aluno_id, tarefa, notas_a_zero(source), impressao=impressao)
    nb = _preparar(corrida, pasta, uid, resultado)
    if nb is None:  # nada a avaliar (sem caderno, JSON inválido): vale 0 e diz porquê
        desativadas, excedeu = [], False
    else:
        desativadas, excedeu = _correr(corrida, nb, resultado)
    _recolher(corrida, resultado, desativadas, excedeu)
    resultado.segundos = time.monotonic() - inicio
    if resultado.nao_avaliada:
        resultado.avaliado = False
        resultado.notas = {gid: [None, m] for gid, (_, m) in resultado.notas.items()}
        (corrida.trabalho / "resultado.json").unlink(missing_ok=True)
        return resultado
    resultado.avaliado_em = time.strftime("%Y-%m-%d %H:%M")
    resultado.guardar(corrida.trabalho / "resultado.json")
    return resultado


def _preparar(corrida: _Corrida, pasta: Path, uid: int | None, resultado: Resultado) -> nbformat.NotebookNode | None:
    """Lê a entrega e reconstrói-a sobre o release; prepara a raiz do nbgrader só dela (a
    configuração, uma cópia do gradebook modelo, o source) e o ambiente do kernel. Devolve o
    caderno a avaliar, ou None se não há nenhum (os motivos dizem porquê)."""
    raiz, tarefa, trabalho = corrida.raiz, corrida.tarefa, corrida.trabalho
    if trabalho.exists():
        shutil.rmtree(trabalho)
    trabalho.mkdir(parents=True)
    if corrida.aluno_id != resultado.aluno:
        resultado.motivos.append(f"O identificador «{resultado.aluno}» foi guardado no nbgrader como «{corrida.aluno_id}».")
        resultado.so_professor.append(resultado.motivos[-1])
    release = nbformat.read(raiz / "release" / tarefa / f"{tarefa}.ipynb", as_version=4)
    nb, motivos = entregas.ler_entrega(pasta, tarefa, release)
    resultado.motivos += motivos
    if nb is None:
        return None
    nb, motivos = entregas.normalizar(nb, release)
    resultado.motivos += motivos

    comum.copiar_configuracao(trabalho)
    shutil.copy2(raiz / "gradebook.db", trabalho / "gradebook.db")
    (trabalho / "source").symlink_to(raiz / "source", target_is_directory=True)
    corrida.submetido.parent.mkdir(parents=True)
    corrida.env = kernel_na_caixa.ambiente_do_kernel(raiz, trabalho, uid)
    corrida.env[comum.ENV_TEMPO_CELULA] = str(corrida.limites.tempo_celula)
    corrida.env[comum.ENV_JUIZ_RELATORIO] = str(corrida.relatorio_juiz)
    return nb


def _correr(corrida: _Corrida, nb: nbformat.NotebookNode, resultado: Resultado) -> tuple[list[str], bool]:
    """Corre o ``nbgrader autograde`` com os limites. Se o kernel morrer, o ``localizar.py`` acha a
    célula culpada, ela é desativada e a entrega corre de novo (até ``TENTATIVAS`` vezes). Devolve
    (rótulos das células desativadas, excedeu o tempo da entrega)."""
    desativadas: list[str] = []
    excedeu = False
    for tentativa in range(TENTATIVAS):
        nbformat.write(nb, corrida.submetido)
        cmd = [sys.executable, "-m", "nbgrader", "autograde", corrida.tarefa, f"--student={corrida.aluno_id}",
               "--force", f"--CourseDirectory.root={corrida.trabalho}"]
        if processos.isolamento():
            cmd.append(f"--Execute.kernel_name={kernel_na_caixa.KERNEL_ISOLADO}")
        codigo, saida, excedeu = processos.correr_limitado(cmd, corrida.trabalho, corrida.env, corrida.limites,
                                                           corrida.prazo)
        if corrida.autograded.exists() or excedeu:
            break
        if tentativa == TENTATIVAS - 1:
            resultado.motivos.append(
                f"Desativei {len(desativadas)} célula(s) que faziam o kernel morrer "
                f"({', '.join(desativadas)}) e o kernel continuou a morrer: a entrega não pôde ser "
                "avaliada e vale 0. Corre o caderno do princípio ao fim (Kernel → Restart and Run All) "
                "e corrige as células que o param."
            )
            break
        # O kernel morreu (ou o nbgrader falhou): localizar a célula, desativá-la e tentar de novo.
        indice, saida_l, excedeu = _localizar(corrida, nb)
        if excedeu:
            break
        if indice is None:
            # Nenhuma célula do aluno faz o kernel morrer: a falha é da avaliação (a caixa não
            # arrancou, o nbgrader falhou). Nunca um 0: a entrega fica por avaliar.
            sem_caixa = [linha for linha in (saida + "\n" + saida_l).splitlines()
                         if linha.startswith("Não consegui pôr o kernel do aluno na caixa")]
            resultado.nao_avaliada = (
                sem_caixa[0] if sem_caixa else
                "O nbgrader não conseguiu avaliar o caderno e nenhuma célula do aluno é a culpada. "
                f"Último erro: {saida.strip().splitlines()[-1] if saida.strip() else '?'}"
            )
            break
        desativadas.append(desativar(nb, indice))
    return desativadas, excedeu


def _localizar(corrida: _Corrida, nb: nbformat.NotebookNode) -> tuple[int | None, str, bool]:
    """Corre o caderno célula a célula no ``localizar.py`` (só a parte visível dos testes julgados).
    Devolve (índice da célula que mata o kernel ou None, a saída, excedeu o tempo)."""
    executavel = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    testes = _testes_para_o_kernel(corrida.source, corrida.tarefa)
    for celula in executavel.cells:
        gid = nbgrader_meta(celula).get("grade_id")
        if gid in testes and e_teste(celula):
            celula.source = testes[gid]
    caminho_exec = corrida.trabalho / "localizar.ipynb"
    nbformat.write(executavel, caminho_exec)
    # O kernel corre na pasta da entrega (como no nbgrader), não em ``trabalho`` (gradebook).
    _, saida, excedeu = processos.correr_limitado(
        [sys.executable, str(Path(__file__).with_name("localizar.py")), str(caminho_exec),
         str(corrida.submetido.parent)],
        corrida.trabalho, corrida.env, corrida.limites, corrida.prazo,
    )
    indice = None
    for linha in saida.splitlines():
        if linha.startswith(comum.CELULA_FATAL + " "):
            valor = linha.split()[1]
            indice = None if valor == "-" else int(valor)
    return indice, saida, excedeu


def _recolher(corrida: _Corrida, resultado: Resultado, desativadas: list[str], excedeu: bool) -> None:
    """As notas (do gradebook desta entrega) e os motivos (saídas do caderno avaliado, células
    desativadas, o juiz, o tempo esgotado) no ``resultado``."""
    if excedeu:
        # Parado a meio: o caderno em autograded/ (se existir) é a cópia de antes de correr, não
        # um resultado; nada dele conta.
        shutil.rmtree(corrida.trabalho / "autograded", ignore_errors=True)
        resultado.motivos.append(
            f"A entrega excedeu o tempo total de {corrida.limites.tempo_entrega} s e foi parada: vale 0. "
            "Confirma que o caderno corre do princípio ao fim em poucos minutos."
        )
    if corrida.autograded.exists():
        resultado.avaliado = True
        resultado.notas = _notas_do_gradebook(corrida.trabalho / "gradebook.db", corrida.tarefa, corrida.aluno_id)
        for gid, celula in ((nbgrader_meta(c).get("grade_id"), c) for c in corrida.source.cells):
            if gid in resultado.notas and celula.cell_type == "code" and resultado.notas[gid][0] is None:
                resultado.notas[gid][0] = 0.0  # célula de código sem nota automática: não chegou a correr
        for rotulo in desativadas:
            resultado.motivos.append(
                f"A célula {rotulo} fez o kernel morrer (os._exit, falha de segmentação ou memória): foi "
                "desativada e o resto do caderno foi avaliado."
            )
        resultado.motivos += motivos_das_saidas(nbformat.read(corrida.autograded, as_version=4), corrida.limites)
        resultado.motivos += motivos_do_juiz(corrida.relatorio_juiz, resultado)
    resultado.motivos = list(dict.fromkeys(resultado.motivos))


def _testes_para_o_kernel(source, tarefa: str) -> dict[str, str]:
    """grade_id -> o texto de cada célula de teste tal como pode entrar no kernel do aluno (para o
    ``localizar.py``): nas células que o juiz avalia (``juiz.py``), só a parte visível — os
    testes ocultos nunca entram no kernel, nem quando se procura a célula que o mata."""
    julgadas = set(juiz.julgadas(source.cells, juiz.contexto_do_caderno(tarefa)))
    testes = {}
    for i, celula in enumerate(source.cells):
        if nbgrader_meta(celula).get("grade"):
            fonte = celula.source
            testes[nbgrader_meta(celula)["grade_id"]] = comum.partes_do_teste(fonte)[0] if i in julgadas else fonte
    return testes
