"""O motor da avaliação: cada entrega é avaliada sozinha, com limites, e nada se perde.

Para cada par (aluno, tarefa):
  1. a entrega é lida e reconstruída sobre o release (``entregas.py``);
  2. o ``nbgrader autograde`` corre numa raiz do nbgrader só dela (``.avaliacao/<aluno>/<tarefa>``,
     com uma cópia do gradebook modelo), de modo que várias entregas podem ser avaliadas em
     paralelo sem que dois processos escrevam no mesmo SQLite;
  3. o processo corre com limites de memória, de CPU e de tempo, e (como root, com ``unshare``)
     sem rede e num espaço de processos próprio, que morre inteiro no fim; o kernel do aluno
     arranca na caixa de areia (``caixa.py``, bubblewrap): só vê o Python, o pacote
     ``otimizacao`` e a sua pasta, com um uid só desta entrega; os testes correm no juiz
     (``juiz.py``), fora do kernel, e uma falha da avaliação deixa a entrega «não avaliada»;
  4. se o kernel morrer (``os._exit``, falha de segmentação, memória), a célula culpada é
     localizada, desativada, e a entrega volta a ser avaliada: perde-se só o que ela tocou;
  5. o resultado fica em ``resultado.json`` (com a impressão digital da entrega e dos testes):
     uma avaliação interrompida continua onde ficou.
Por fim, os resultados são registados, um a um, no gradebook principal.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import comum, entregas, juiz
from autograder.comum import AUTOGRADER, ambiente_nbgrader, nbgrader, nbgrader_meta

# --------------------------------------------------------------------------- limites e isolamento


@dataclass(frozen=True)
class Limites:
    tempo_celula: int = comum.TEMPO_CELULA_S  # s por célula (o nbgrader interrompe a célula e continua)
    tempo_entrega: int = comum.TEMPO_ENTREGA_S  # s de relógio para uma entrega inteira
    memoria_mb: int = comum.MEMORIA_MB  # espaço de endereçamento por processo
    cpu_s: int = comum.CPU_S  # tempo de CPU por processo
    sem_rede: bool = True


_processos: set[subprocess.Popen] = set()
_trinco = threading.Lock()
PARAR = threading.Event()  # Ctrl-C: nenhuma corrida nova começa depois disto (ver matar_todos)


@functools.cache
def isolamento() -> bool:
    """True se esta máquina consegue pôr o kernel do aluno na caixa (``caixa.py``): Linux, root,
    ``bwrap``, ``setpriv``, ``unshare`` e ``ip``, e um espaço de rede novo funciona. Calculado na
    primeira vez que é preciso (importar o motor não corre nada)."""
    if os.name != "posix" or os.geteuid() != 0:
        return False
    if not all(shutil.which(p) for p in ("unshare", "ip", "bwrap", "setpriv")):
        return False
    teste = subprocess.run(
        ["unshare", "--net", "--pid", "--mount", "--fork", "--kill-child", "--", "ip", "link", "set", "lo", "up"],
        capture_output=True,
    )
    return teste.returncode == 0


def aviso_isolamento() -> str | None:
    """O aviso a mostrar ao professor quando não há caixa (pt-PT), ou None."""
    if isolamento():
        return None
    falta = [p for p in ("bwrap", "setpriv", "unshare", "ip") if not shutil.which(p)]
    como = (f" Falta: {', '.join(falta)} (Debian: apt-get install bubblewrap util-linux iproute2)."
            if falta and os.name == "posix" and os.geteuid() == 0 else "")
    return ("Sem caixa de areia (precisa de root, Linux e bubblewrap): o código dos alunos corre com as "
            "tuas permissões, pode ler solutions/ e os testes ocultos e usar a rede." + como
            + " Avalia num contentor (ver README, «Modelo de ameaças»).")


KERNEL_ISOLADO = "curso4-isolado"
UID_PRIMEIRO, UID_QUANTOS = 200_000, 4_096  # uids reservados para os kernels dos alunos


@contextlib.contextmanager
def uid_reservado():
    """Reserva, para uma entrega, um uid que nenhum outro kernel em avaliação nesta máquina está
    a usar (um ``flock`` por uid em ``/run/curso4-uids``, libertado no fim, mesmo se o processo
    morrer). Dois kernels avaliados ao mesmo tempo — nesta avaliação ou noutra — nunca partilham
    um uid: não se podem ler nem mandar sinais."""
    import fcntl

    pasta = Path("/run/curso4-uids") if os.access("/run", os.W_OK) else Path(tempfile.gettempdir()) / "curso4-uids"
    pasta.mkdir(mode=0o700, exist_ok=True)
    inicio = (os.getpid() * 7 + threading.get_ident()) % UID_QUANTOS
    for i in range(UID_QUANTOS):
        uid = UID_PRIMEIRO + (inicio + i) % UID_QUANTOS
        f = open(pasta / str(uid), "a")  # noqa: SIM115 (fica aberto enquanto a entrega dura)
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        try:
            yield uid
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()
        return
    raise RuntimeError(f"Não há uids livres para a caixa ({UID_QUANTOS} entregas ao mesmo tempo?)")


def kernelspec(raiz: Path) -> Path:
    """Escreve o kernelspec do kernel na caixa (``caixa.py``) e devolve a pasta a pôr no
    JUPYTER_PATH. As interrupções (tempo de uma célula esgotado) vão por mensagem: o kernel
    está noutra sessão e noutro espaço de PIDs, onde o sinal do grupo não chega."""
    pasta = raiz / ".avaliacao" / ".jupyter"
    spec = pasta / "kernels" / KERNEL_ISOLADO / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    conteudo = {
        "argv": [sys.executable, str(Path(__file__).with_name("caixa.py")), "-f", "{connection_file}"],
        "display_name": "Python 3 (caixa de areia da avaliação)",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }
    texto = json.dumps(conteudo, indent=1)
    if not spec.exists() or spec.read_text(encoding="utf-8") != texto:  # várias threads: troca atómica
        temporario = spec.with_name(f"kernel.json.{os.getpid()}.{threading.get_ident()}")
        temporario.write_text(texto, encoding="utf-8")
        os.replace(temporario, spec)
    return pasta


def verificar_caixa(raiz: Path, limites: Limites) -> str | None:
    """Antes de avaliar a primeira entrega: monta a caixa como para um kernel e importa o que o
    kernel precisa. None se funciona (ou se não há isolamento: o aviso diz-se à parte); senão, o
    que falhou, em pt-PT, com o caminho ou o programa em falta."""
    if not isolamento():
        return None
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(pasta_cache_modelos(raiz))
    with uid_reservado() as uid, tempfile.TemporaryDirectory(prefix="curso4-verificar-") as tmp:
        env[comum.ENV_UID] = str(uid)
        env[comum.ENV_CAIXA] = tmp
        codigo, saida, excedeu = correr_limitado(
            [sys.executable, str(Path(__file__).with_name("caixa.py")), "--verificar"], Path(tmp), env, limites,
            time.monotonic() + 120)
    if codigo == 0 and "caixa ok" in saida:
        return None
    linhas = [linha for linha in saida.strip().splitlines() if linha.strip()]
    detalhe = linhas[-1] if linhas else ("demorou mais de 120 s" if excedeu else f"código de saída {codigo}")
    return (f"Não consegui montar a caixa de areia dos kernels dos alunos ({detalhe}). Nenhuma entrega foi "
            "avaliada. Confirma que o bubblewrap está instalado (apt-get install bubblewrap) e que o .venv "
            "e o pacote course/otimizacao existem nos caminhos que o Python indica; depois corre o mesmo comando.")


def pasta_cache_modelos(raiz: Path) -> Path:
    """A cache do modelo de base partilhada pelas entregas de uma avaliação (só de leitura
    para o kernel isolado; ver ``aquecer_cache``): a de ``CURSO4_CACHE_MODELOS`` se estiver
    definida (os testes partilham uma por sessão), senão uma dentro da raiz da avaliação."""
    pasta = os.environ.get(comum.ENV_CACHE_MODELOS)
    return Path(pasta) if pasta else raiz / ".avaliacao" / "cache_modelos"


def _cache_legivel(pasta: Path) -> None:
    """O kernel isolado corre como nobody: a cache tem de se poder atravessar e ler (uma pasta
    de ``mktemp -d`` é 700). Só se acrescentam as permissões de leitura; nada de escrita."""
    try:
        if pasta.is_dir():
            pasta.chmod(pasta.stat().st_mode | 0o055)
            for ficheiro in pasta.iterdir():
                if ficheiro.is_file():
                    ficheiro.chmod(ficheiro.stat().st_mode | 0o044)
    except OSError:  # não é nossa: o kernel treina o modelo ele próprio
        pass


SELO_CACHE = ".aquecida"  # na pasta da cache: a impressão do que fez o modelo que lá está


def impressao_do_modelo_de_base() -> str:
    """O que decide a chave do modelo de base em cache (``otimizacao.modelos.chave_cache``),
    lido sem importar o TensorFlow: o código que define o modelo e os dados, e as versões do
    Python, do processador e dos pacotes de que o treino depende."""
    import platform
    from importlib import metadata

    h = hashlib.sha256()
    pacote = comum.RAIZ / "course" / "otimizacao"
    for nome in ("modelos.py", "dados.py"):
        h.update((pacote / nome).read_bytes())
    partes = [platform.python_version(), platform.machine()]
    for distribuicao in ("numpy", "tensorflow", "tf-keras", "scikit-learn"):
        try:
            partes.append(metadata.version(distribuicao))
        except metadata.PackageNotFoundError:
            partes.append("?")
    h.update(json.dumps(partes).encode())
    return h.hexdigest()


def aquecer_cache(raiz: Path) -> str:
    """Treina uma vez o modelo de base do curso (``otimizacao.modelos.treinar_modelo_base``)
    para a cache da avaliação: cada entrega lê-o em vez de o treinar outra vez. Devolve o que
    o treino escreveu no ecrã (uma linha). Uma falha aqui não para a avaliação: os cadernos
    treinam o modelo eles próprios.

    Se a cache já foi aquecida com o mesmo código e as mesmas versões (o selo ``SELO_CACHE``
    guarda essa impressão e o nome do modelo) e o modelo ainda lá está, não se arranca um
    processo com o TensorFlow só para o confirmar (~10 s em cada ``make avaliar``)."""
    pasta = pasta_cache_modelos(raiz)
    impressao = impressao_do_modelo_de_base()
    selo = pasta / SELO_CACHE
    with contextlib.suppress(OSError, ValueError):
        guardado = json.loads(selo.read_text(encoding="utf-8"))
        if guardado.get("impressao") == impressao and (pasta / guardado.get("modelo", "")).is_file():
            _cache_legivel(pasta)
            return f"Modelo de base já na cache ({guardado['modelo']}), do mesmo código e versões."
    antes = set(pasta.glob("modelo_base-*.keras"))
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(pasta)
    codigo = "from otimizacao import dados, modelos; modelos.treinar_modelo_base(dados.carregar_dados())"
    proc = subprocess.run([sys.executable, "-c", codigo], env=env, capture_output=True, text=True)
    linhas = [linha for linha in proc.stdout.splitlines() if linha.startswith("Modelo de base")]
    # O modelo que o processo usou: o que diz ter lido, ou o que acabou de aparecer na pasta.
    usado = re.findall(r"(modelo_base-[0-9a-f]+\.keras)", linhas[-1]) if linhas else []
    novos = sorted(set(pasta.glob("modelo_base-*.keras")) - antes)
    modelo = usado[0] if usado else (novos[0].name if len(novos) == 1 else None)
    if proc.returncode == 0 and modelo and (pasta / modelo).is_file():
        with contextlib.suppress(OSError):
            temporario = selo.with_name(f"{SELO_CACHE}.{os.getpid()}")
            temporario.write_text(json.dumps({"impressao": impressao, "modelo": modelo}), encoding="utf-8")
            os.replace(temporario, selo)
    _cache_legivel(pasta)
    return linhas[-1] if linhas else f"Não consegui preparar a cache do modelo de base: {proc.stderr.strip()[-300:]}"


def ambiente_do_kernel(raiz: Path, trabalho: Path, uid: int | None) -> dict[str, str]:
    """O ambiente do nbgrader e do localizar: sem isolamento, o de sempre; com isolamento, o
    kernelspec da caixa (``caixa.py``), o uid reservado para esta entrega e a pasta onde a caixa
    guarda o que é só do kernel. Em ambos, a cache do modelo de base desta avaliação."""
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(pasta_cache_modelos(raiz))
    if isolamento():
        _cache_legivel(pasta_cache_modelos(raiz))
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernelspec(raiz)), env.get("JUPYTER_PATH")]))
        env[comum.ENV_KERNEL] = KERNEL_ISOLADO
        env[comum.ENV_UID] = str(uid)
        env[comum.ENV_CAIXA] = str(trabalho / ".caixa")
    return env


def _prefixo(limites: Limites) -> list[str]:
    if not isolamento():
        return []
    # Novo espaço de PIDs: quando o processo principal acaba, todos os filhos (kernels) morrem.
    # O /proc volta a ser montado para esse espaço (--mount-proc): o bwrap da caixa lê lá os
    # seus próprios espaços de nomes (com o /proc da máquina falha: «open /proc/N/ns/ns»).
    prefixo = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if limites.sem_rede:
        prefixo.insert(1, "--net")  # sem rede; o loopback (para o kernel) é ligado abaixo
        return [*prefixo, "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
    return [*prefixo, "--"]


def correr_limitado(cmd: list[str], cwd: Path, env: dict, limites: Limites,
                    prazo: float | None = None) -> tuple[int, str, bool]:
    """Corre ``cmd`` com os limites; devolve (código de saída, saída, excedeu_o_tempo).

    ``prazo`` (``time.monotonic()``) é o fim do tempo da entrega inteira: todas as corridas de
    uma entrega (nbgrader, localizar, nova tentativa) partilham o mesmo relógio.
    """
    if prazo is None:
        prazo = time.monotonic() + limites.tempo_entrega
    restante = prazo - time.monotonic()
    if restante <= 0:
        return -1, "", True
    # Os limites põe-nos um lançador (limitar.py), não um preexec_fn: esta função corre em
    # várias threads, e código Python entre fork e exec num processo com threads pode bloquear.
    lancador = [sys.executable, str(Path(__file__).with_name("limitar.py")),
                str(limites.memoria_mb * 2**20), str(limites.cpu_s), "--"]
    with _trinco:  # depois do Ctrl-C nada de novo arranca (o matar_todos põe PARAR com o trinco)
        if PARAR.is_set():
            raise Interrompida()
        proc = subprocess.Popen(
            lancador + _prefixo(limites) + cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )
        _processos.add(proc)
    excedeu = False
    try:
        saida, _ = proc.communicate(timeout=restante)
    except subprocess.TimeoutExpired:
        excedeu = True
        matar(proc)
        saida, _ = proc.communicate()
    finally:
        matar(proc)
        with _trinco:
            _processos.discard(proc)
    return proc.returncode, saida or "", excedeu


def matar(proc: subprocess.Popen) -> None:
    """Mata o processo, o seu grupo e todos os descendentes que ainda lhe estejam ligados."""
    try:
        import psutil

        filhos = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        filhos = []
    for alvo in [proc.pid, *(f.pid for f in filhos)]:
        try:
            os.killpg(alvo, signal.SIGKILL) if alvo == proc.pid else os.kill(alvo, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Interrompida(Exception):
    """A avaliação foi interrompida (Ctrl-C): a entrega fica por avaliar, nada se guarda."""


def matar_todos() -> None:
    """Ctrl-C: não deixa nenhum processo de avaliação para trás, e nenhum começa depois."""
    with _trinco:
        PARAR.set()
        for proc in list(_processos):
            matar(proc)


# --------------------------------------------------------------------------- resultados


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


def _zeros(source) -> dict[str, list]:
    return {gid: [0.0, m] for gid, m in celulas_avaliadas(source).items()}


# --------------------------------------------------------------------------- motivos a partir das saídas
def _e_teste(celula) -> bool:
    """Célula de teste: avaliada e sem resposta do aluno (o nbgrader repõe-na do source)."""
    meta = nbgrader_meta(celula)
    return bool(meta.get("grade")) and not meta.get("solution")


def _rotulo(celula, i: int) -> str:
    gid = nbgrader_meta(celula).get("grade_id")
    return gid if gid else f"n.º {i + 1}"


def motivos_das_saidas(nb, limites: Limites) -> list[str]:
    """Motivos em pt-PT para os erros que não são simples testes falhados."""
    motivos = []
    for i, celula in enumerate(nb.cells):
        if celula.cell_type != "code":
            continue
        rotulo = _rotulo(celula, i)
        for saida in celula.get("outputs", []):
            texto = json.dumps(saida, ensure_ascii=False)
            if saida.get("output_type") != "error":
                if "Output truncated" in texto or "output truncated" in texto:
                    motivos.append(f"A célula {rotulo} escreveu demasiado no ecrã: a saída foi cortada no feedback.")
                continue
            nome, valor = saida.get("ename", ""), str(saida.get("evalue", ""))
            if nome in ("CellTimeoutError", "TimeoutError") or "Timeout" in nome:
                motivos.append(
                    f"A célula {rotulo} excedeu o tempo máximo de {limites.tempo_celula} s e foi "
                    "interrompida: há um ciclo infinito ou um cálculo demasiado lento?"
                )
            elif nome == "MemoryError":
                motivos.append(
                    f"A célula {rotulo} excedeu o limite de memória ({limites.memoria_mb} MB): "
                    "estás a criar listas ou arrays enormes?"
                )
            elif nome in ("SyntaxError", "IndentationError", "TabError"):
                motivos.append(f"Erro de sintaxe na célula {rotulo} ({valor}): corrige-o e corre a célula.")
            elif nome == "StdinNotImplementedError":
                motivos.append(
                    f"A célula {rotulo} usa input(): na avaliação ninguém escreve no teclado. Tira o input()."
                )
            elif nome == "ModuleNotFoundError" and "solutions" in valor:
                motivos.append(f"A célula {rotulo} tenta importar solutions, que não existe na avaliação.")
            elif nome in ("gaierror", "URLError", "ConnectionError", "ConnectionRefusedError") or (
                "Network is unreachable" in valor or "Name or service not known" in valor
            ):
                motivos.append(f"A célula {rotulo} tenta usar a rede, que não está disponível na avaliação.")
            elif nome in ("FileNotFoundError", "PermissionError", "IsADirectoryError", "OSError") and not _e_teste(celula):
                absoluto = "'/" in valor or ":\\" in valor  # caminho absoluto (Linux/macOS ou Windows)
                motivos.append(
                    f"A célula {rotulo} falhou a mexer em ficheiros ({nome}: {valor}). "
                    + ("Na avaliação o caderno só pode ler e escrever na sua própria pasta: usa caminhos "
                       "relativos a ela." if absoluto else
                       "Confirma que o ficheiro é criado por uma célula anterior (um exercício por fazer "
                       "pode não o ter criado).")
                )
    return list(dict.fromkeys(motivos))


# --------------------------------------------------------------------------- desativar a célula fatal
CELULA_DESATIVADA = (
    'raise RuntimeError("Esta célula fez o kernel morrer durante a avaliação e foi desativada: '
    'confirma que não usas os._exit, sys.exit nem código que rebente com a memória.")'
)


def _desativar(nb, indice: int) -> str:
    """Desativa a célula fatal (ou, se for de teste, a resposta que ela testa). Devolve o rótulo."""
    celula = nb.cells[indice]
    if _e_teste(celula):
        # Uma célula de teste não se muda (o nbgrader repõe-na): desativa-se a resposta anterior.
        for j in range(indice - 1, -1, -1):
            if nbgrader_meta(nb.cells[j]).get("solution") and nb.cells[j].cell_type == "code":
                celula, indice = nb.cells[j], j
                break
    rotulo = _rotulo(celula, indice)
    celula.source = CELULA_DESATIVADA
    return rotulo


# --------------------------------------------------------------------------- uma entrega
def _config_local(trabalho: Path) -> None:
    (trabalho / "nbgrader_config.py").write_text(
        (AUTOGRADER / "nbgrader_config.py").read_text(encoding="utf-8"), encoding="utf-8"
    )


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


def _avisos_no_feedback(html: Path, motivos: list[str]) -> str | None:
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
            + json.dumps(asdict(limites)) + f" isolado={isolamento()}")


def avaliar_entrega(raiz: Path, tarefa: str, aluno: str, pasta: Path, limites: Limites,
                    refazer: bool = False) -> Resultado:
    """Avalia a entrega ``pasta`` (a pasta <aluno>/<tarefa>) e devolve o Resultado.

    Com a caixa de areia, reserva um uid só desta entrega enquanto ela é avaliada. Uma falha da
    própria avaliação deixa o resultado «não avaliado» (``Resultado.nao_avaliada``), que não se
    guarda para a retoma: a próxima corrida avalia-a de novo."""
    with uid_reservado() if isolamento() else contextlib.nullcontext(None) as uid:
        return _avaliar_entrega(raiz, tarefa, aluno, pasta, limites, refazer, uid)


def _avaliar_entrega(raiz: Path, tarefa: str, aluno: str, pasta: Path, limites: Limites,
                     refazer: bool, uid: int | None) -> Resultado:
    inicio = time.monotonic()
    prazo = inicio + limites.tempo_entrega  # um só relógio para todas as corridas desta entrega
    aluno_id = entregas.id_seguro(aluno)
    source_nb = raiz / "source" / tarefa / f"{tarefa}.ipynb"
    release_nb = raiz / "release" / tarefa / f"{tarefa}.ipynb"
    source = nbformat.read(source_nb, as_version=4)
    release = nbformat.read(release_nb, as_version=4)
    trabalho = raiz / ".avaliacao" / aluno_id / tarefa
    impressao = impressao_entrega(pasta, source_nb, limites)
    guardado = Resultado.ler(trabalho / "resultado.json")
    if guardado is not None and guardado.impressao == impressao and not refazer and not guardado.nao_avaliada:
        guardado.reutilizado = True
        return guardado

    if trabalho.exists():
        shutil.rmtree(trabalho)
    trabalho.mkdir(parents=True)
    resultado = Resultado(aluno, aluno_id, tarefa, _zeros(source), impressao=impressao)
    if aluno_id != aluno:
        resultado.motivos.append(f"O identificador «{aluno}» foi guardado no nbgrader como «{aluno_id}».")
        resultado.so_professor.append(resultado.motivos[-1])
    nb, motivos = entregas.ler_entrega(pasta, tarefa, release)
    resultado.motivos += motivos
    if nb is None:
        resultado.segundos = time.monotonic() - inicio
        resultado.avaliado_em = time.strftime("%Y-%m-%d %H:%M")
        resultado.guardar(trabalho / "resultado.json")
        return resultado
    nb, motivos = entregas.normalizar(nb, release)
    resultado.motivos += motivos

    _config_local(trabalho)
    shutil.copy2(raiz / "gradebook.db", trabalho / "gradebook.db")
    (trabalho / "source").symlink_to(raiz / "source", target_is_directory=True)
    submetido = trabalho / "submitted" / aluno_id / tarefa / f"{tarefa}.ipynb"
    submetido.parent.mkdir(parents=True)
    env = ambiente_do_kernel(raiz, trabalho, uid)
    env[comum.ENV_TEMPO_CELULA] = str(limites.tempo_celula)
    relatorio_juiz = trabalho / "juiz.json"
    env[comum.ENV_JUIZ_RELATORIO] = str(relatorio_juiz)
    autograded = trabalho / "autograded" / aluno_id / tarefa / f"{tarefa}.ipynb"
    desativadas: list[str] = []
    excedeu = False
    for tentativa in range(TENTATIVAS):
        nbformat.write(nb, submetido)
        cmd = [sys.executable, "-m", "nbgrader", "autograde", tarefa, f"--student={aluno_id}", "--force",
               f"--CourseDirectory.root={trabalho}"]
        if isolamento():
            cmd.append(f"--Execute.kernel_name={KERNEL_ISOLADO}")
        codigo, saida, excedeu = correr_limitado(cmd, trabalho, env, limites, prazo)
        if autograded.exists() or excedeu:
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
        executavel = nbformat.from_dict(json.loads(nbformat.writes(nb)))
        testes = _testes_para_o_kernel(source, tarefa)
        for celula in executavel.cells:
            gid = nbgrader_meta(celula).get("grade_id")
            if gid in testes and _e_teste(celula):
                celula.source = testes[gid]
        caminho_exec = trabalho / "localizar.ipynb"
        nbformat.write(executavel, caminho_exec)
        # O kernel corre na pasta da entrega (como no nbgrader), não em ``trabalho`` (gradebook).
        codigo_l, saida_l, excedeu = correr_limitado(
            [sys.executable, str(Path(__file__).with_name("localizar.py")), str(caminho_exec), str(submetido.parent)],
            trabalho, env, limites, prazo,
        )
        if excedeu:
            break
        indice = None
        for linha in saida_l.splitlines():
            if linha.startswith(comum.CELULA_FATAL + " "):
                valor = linha.split()[1]
                indice = None if valor == "-" else int(valor)
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
        desativadas.append(_desativar(nb, indice))

    if excedeu:
        # Parado a meio: o caderno em autograded/ (se existir) é a cópia de antes de correr, não
        # um resultado; nada dele conta.
        shutil.rmtree(trabalho / "autograded", ignore_errors=True)
        resultado.motivos.append(
            f"A entrega excedeu o tempo total de {limites.tempo_entrega} s e foi parada: vale 0. "
            "Confirma que o caderno corre do princípio ao fim em poucos minutos."
        )
    if autograded.exists():
        resultado.avaliado = True
        resultado.notas = _notas_do_gradebook(trabalho / "gradebook.db", tarefa, aluno_id)
        for gid, celula in ((nbgrader_meta(c).get("grade_id"), c) for c in source.cells):
            if gid in resultado.notas and celula.cell_type == "code" and resultado.notas[gid][0] is None:
                resultado.notas[gid][0] = 0.0  # célula de código sem nota automática: não chegou a correr
        for rotulo in desativadas:
            resultado.motivos.append(
                f"A célula {rotulo} fez o kernel morrer (os._exit, falha de segmentação ou memória): foi "
                "desativada e o resto do caderno foi avaliado."
            )
        resultado.motivos += motivos_das_saidas(nbformat.read(autograded, as_version=4), limites)
        resultado.motivos += _motivos_do_juiz(relatorio_juiz, resultado)
    resultado.motivos = list(dict.fromkeys(resultado.motivos))
    resultado.segundos = time.monotonic() - inicio
    if resultado.nao_avaliada:
        resultado.avaliado = False
        resultado.notas = {gid: [None, m] for gid, (_, m) in resultado.notas.items()}
        (trabalho / "resultado.json").unlink(missing_ok=True)
        return resultado
    resultado.avaliado_em = time.strftime("%Y-%m-%d %H:%M")
    resultado.guardar(trabalho / "resultado.json")
    return resultado


def _testes_para_o_kernel(source, tarefa: str) -> dict[str, str]:
    """grade_id -> o texto de cada célula de teste tal como pode entrar no kernel do aluno (para o
    ``localizar.py``): nas células que o juiz avalia (``juiz.py``), só a parte visível — os
    testes ocultos nunca entram no kernel, nem quando se procura a célula que o mata."""
    from autograder import juiz

    julgadas = set(juiz.julgadas(source.cells, juiz.contexto_do_caderno(tarefa)))
    testes = {}
    for i, celula in enumerate(source.cells):
        if nbgrader_meta(celula).get("grade"):
            fonte = celula.source
            testes[nbgrader_meta(celula)["grade_id"]] = comum.partes_do_teste(fonte)[0] if i in julgadas else fonte
    return testes


def _motivos_do_juiz(relatorio: Path, resultado: Resultado) -> list[str]:
    """O que o juiz (``juiz.py``) viu: uma falha dele deixa a entrega por avaliar; o que a sonda
    achou no kernel (ganchos do IPython, funções substituídas) fica nos motivos, como adulteração."""
    if not relatorio.exists():
        return []
    try:
        dados = json.loads(relatorio.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        resultado.nao_avaliada = "O relatório do juiz ficou ilegível."
        return []
    if dados.get("falha_do_juiz"):
        resultado.nao_avaliada = str(dados["falha_do_juiz"])
    motivos = []
    achados = [str(a) for a in dados.get("adulteracoes", []) if isinstance(a, str)]
    if achados:
        motivos.append(
            "Adulteração: o caderno " + "; ".join(juiz.descrever_adulteracao(a) for a in achados)
            + ". Isso só muda o teu kernel: os testes correm no avaliador, fora dele, e a nota é a dele."
        )
    return motivos


# --------------------------------------------------------------------------- o gradebook principal
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
                "PostgreSQL está a correr; sem GRADEBOOK, a avaliação usa o SQLite autograder/gradebook.db.")
    return None


def _respostas(caderno: Path) -> dict[str, str]:
    """grade_id -> texto de cada célula de resposta de um caderno avaliado ({} se não existir)."""
    if not caderno.exists():
        return {}
    nb = nbformat.read(caderno, as_version=4)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if nbgrader_meta(c).get("solution")}


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
                # feedback ficam como estavam (o grades.csv mostra-a em branco; ver avaliar.py).
                continue
            origem = raiz / ".avaliacao" / r.aluno_id / r.tarefa / "autograded" / r.aluno_id / r.tarefa
            anterior = raiz / "autograded" / r.aluno_id / r.tarefa / f"{r.tarefa}.ipynb"
            try:
                mudou = anterior.exists() and _respostas(anterior) != _respostas(origem / f"{r.tarefa}.ipynb")
            except Exception:  # um caderno avaliado estragado: não se sabe, as notas à mão ficam para rever
                mudou = True
            try:
                # Só cria o aluno: os nomes põe-nos o avaliar.py (da pasta ou da lista da turma),
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
                          "confirma que o gradebook (GRADEBOOK= ou autograder/gradebook.db) está acessível.")
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
        if (erro := _avisos_no_feedback(html(r), r.motivos_do_aluno)) is not None:
            falhou(r, erro)
    return problemas
