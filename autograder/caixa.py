"""A caixa de areia do kernel do aluno (só como root, em Linux): ``caixa.py -f <ligação>``.

O nbgrader (e ``localizar.py``) arrancam o kernel através de um kernelspec próprio
(``kernel_na_caixa.kernelspec``) cujo comando é este ficheiro. Ele prepara uma pasta privada com o
ficheiro de ligação e dá lugar ao ``bwrap`` (bubblewrap, do Debian), que arranca o
``ipykernel`` com **tudo negado por omissão**:

- o disco: uma raiz vazia onde só aparecem, só de leitura, o sistema (``/usr`` e as ligações
  ``/bin``, ``/lib``…), alguns ficheiros de ``/etc`` que as bibliotecas leem, o Python e o
  ``.venv`` (pelo caminho que o nbgrader usa e pelo caminho real, se for uma ligação
  simbólica), o pacote ``otimizacao`` e a cache do modelo de base; e, com escrita, a pasta de
  trabalho desta entrega. Nada do projeto (``solutions/``, ``autograder/``, ``tests/``,
  ``.git``), de ``/root``, ``/home`` ou de outro clone; ``/tmp`` é novo e só deste kernel;
- os processos: um espaço de PIDs próprio (em ``/proc`` só se veem os seus), IPC e UTS
  próprios; a rede é a do processo do nbgrader que o lançou, que o motor já pôs num espaço de
  rede só dele (só o loopback, onde fala com o kernel);
- o utilizador: um uid só desta entrega (``CURSO4_UID``, reservado pelo motor enquanto a
  entrega é avaliada), sem grupos, sem capacidades e sem poder voltar a ganhá-las
  (``setpriv --no-new-privs``): dois kernels avaliados ao mesmo tempo nunca partilham um uid;
  ``RLIMIT_NPROC`` conta só os processos deste uid (bomba de ``fork``), ``RLIMIT_FSIZE``
  limita cada ficheiro a 1 GB.

Porquê o ``bwrap`` e não código próprio: é a ferramenta mantida que o Flatpak usa para isto,
e faz numa linha de argumentos o que antes eram 150 linhas de ``ctypes``. Só corre como
root: o ``bwrap`` sem privilégios não consegue montar pastas que o uid do aluno não
atravesse (o Python em ``/root/.pyenv``, um clone numa pasta 700).

Se faltar alguma coisa (o ``bwrap``, um caminho que desapareceu), o kernel não arranca — nunca
corre sem a caixa às escondidas — e a mensagem diz o quê. ``caixa.py --verificar`` faz a
mesma montagem com ``python -c "import otimizacao, ipykernel"``: o motor chama-o antes de
avaliar a primeira entrega (``kernel_na_caixa.verificar_caixa``).

Só usa a biblioteca padrão e ``comum.py`` (corre fora do pacote ``autograder``).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from comum import COURSE, ENV_CACHE_MODELOS, ENV_CAIXA, ENV_UID  # noqa: E402 (ao lado deste ficheiro)

TAMANHO_MAXIMO_FICHEIRO = 1 << 30  # 1 GB por ficheiro escrito pelo kernel
PROCESSOS_MAXIMOS = 256  # por uid: cada entrega tem o seu, logo é por entrega
TMP_BYTES = 1 << 30  # o /tmp do kernel vive na memória: até 1 GB
ETC = ("ld.so.cache", "localtime", "fonts", "passwd", "group", "nsswitch.conf", "hosts", "matplotlibrc",
       "mime.types", "ssl/certs")
AMBIENTE_PASSA = ("PATH", "LANG", "LC_ALL", "MPLBACKEND", "PYTHONWARNINGS", "PYTHONHASHSEED", "OMP_NUM_THREADS",
                  "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
AMBIENTE_PREFIXOS = ("TF_", "CURSO4_", "KMP_", "MKL_")


class CaixaIndisponivel(RuntimeError):
    """A caixa não pode ser montada: a mensagem diz o que falta e o que fazer (pt-PT)."""


def caminhos_so_leitura() -> list[str]:
    """O que o kernel lê: o Python base e o ``.venv`` (pelo caminho usado e pelo real), o pacote
    ``otimizacao`` (e nada mais de ``course/``) e a cache do modelo de base, se existir."""
    caminhos = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.dirname(sys.executable))]
    caminhos += [os.path.realpath(p) for p in list(caminhos)]
    reais = os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))
    caminhos.append(reais)
    caminhos += [str(COURSE / "otimizacao"), os.path.realpath(COURSE / "otimizacao")]
    cache = os.environ.get(ENV_CACHE_MODELOS)
    if cache and os.path.isdir(cache):
        caminhos.append(os.path.realpath(cache))
    unicos: list[str] = []
    for p in caminhos:
        p = os.path.abspath(p)
        if p not in unicos and p != "/":
            unicos.append(p)
    return unicos


def _antecessores(caminho: str) -> list[str]:
    partes = []
    atual = os.path.dirname(caminho)
    while atual not in ("/", ""):
        partes.append(atual)
        atual = os.path.dirname(atual)
    return list(reversed(partes))


def argumentos_bwrap(trabalho: str, privada: str, uid: int) -> list[str]:
    """A linha do ``bwrap`` + ``setpriv``: tudo negado, exceto o que ``caminhos_so_leitura`` e a
    pasta de trabalho dão. Levanta ``CaixaIndisponivel`` se faltar um programa ou um caminho."""
    for programa in ("bwrap", "setpriv"):
        if shutil.which(programa) is None:
            raise CaixaIndisponivel(
                f"falta o programa «{programa}» (Debian: apt-get install "
                f"{'bubblewrap' if programa == 'bwrap' else 'util-linux'})")
    args = ["bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "avaliacao",
            "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
            "--ro-bind", "/usr", "/usr"]
    for nome in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        caminho = "/" + nome
        if os.path.islink(caminho):
            args += ["--symlink", os.readlink(caminho), caminho]
        elif os.path.isdir(caminho):
            args += ["--ro-bind", caminho, caminho]
    for nome in ETC:
        caminho = os.path.join("/etc", nome)
        if os.path.exists(caminho):
            args += ["--ro-bind", caminho, caminho]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
             "--perms", "1777", "--dir", "/var/tmp"]
    criadas: set[str] = {"/tmp", "/var", "/var/tmp", "/usr", "/etc", "/proc", "/dev"}
    montadas: list[str] = []
    for caminho in sorted(caminhos_so_leitura(), key=len):
        if not os.path.isdir(caminho):
            raise CaixaIndisponivel(f"o caminho «{caminho}» não existe (o ambiente Python mudou de sítio?)")
        if any(caminho == m or caminho.startswith(m.rstrip("/") + "/") for m in montadas):
            continue  # já visível por uma pasta mãe
        for pasta in _antecessores(caminho):
            if pasta not in criadas:
                args += ["--perms", "0755", "--dir", pasta]
                criadas.add(pasta)
        args += ["--ro-bind", caminho, caminho]
        montadas.append(caminho)
    for pasta in _antecessores(trabalho):
        if pasta not in criadas:
            args += ["--perms", "0755", "--dir", pasta]
            criadas.add(pasta)
    args += ["--bind", trabalho, trabalho, "--bind", privada, "/caixa", "--chdir", trabalho]
    # O ambiente: só o que serve ao kernel (nada de palavras-passe, caminhos do projeto, tokens).
    args.append("--clearenv")
    for nome, valor in os.environ.items():
        if nome in AMBIENTE_PASSA or nome.startswith(AMBIENTE_PREFIXOS):
            args += ["--setenv", nome, valor]
    args += ["--setenv", "HOME", "/caixa/casa", "--setenv", "USER", "aluno", "--setenv", "LOGNAME", "aluno",
             "--setenv", "TMPDIR", "/tmp", "--setenv", "JUPYTER_RUNTIME_DIR", "/caixa/casa",
             "--setenv", "MPLCONFIGDIR", "/caixa/casa/.matplotlib"]
    args += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
             "--inh-caps=-all", "--bounding-set=-all", "--"]
    return args


def _pasta_privada(uid: int) -> str:
    """Uma pasta só deste kernel (700, do uid da entrega), montada em ``/caixa``: o ficheiro de
    ligação e a casa do aluno. Fica fora do que o kernel de outra entrega vê. Nasce dentro da
    pasta que o motor indica em ``CURSO4_CAIXA`` (a da entrega: apagada com ela)."""
    base = os.environ.get(ENV_CAIXA) or None
    if base:
        os.makedirs(base, mode=0o700, exist_ok=True)
    privada = tempfile.mkdtemp(prefix="caixa-", dir=base)
    os.makedirs(os.path.join(privada, "casa", ".matplotlib"))
    for raiz, pastas, ficheiros in os.walk(privada):
        for nome in [raiz, *(os.path.join(raiz, n) for n in pastas + ficheiros)]:
            os.lchown(nome, uid, uid)
    os.chmod(privada, 0o700)
    return privada


def _entregar_trabalho(trabalho: str, uid: int) -> None:
    """A pasta de trabalho passa a ser do uid da entrega; os cadernos ficam só para root (o
    kernel não precisa deles)."""
    for raiz, pastas, ficheiros in os.walk(trabalho):
        for nome in pastas + ficheiros:
            caminho = os.path.join(raiz, nome)
            if nome.endswith(".ipynb") and not os.path.islink(caminho):
                os.chmod(caminho, 0o600)
            else:
                os.lchown(caminho, uid, uid)
    os.chown(trabalho, uid, uid)


def _uid() -> int:
    valor = os.environ.get(ENV_UID, "")
    if not valor.isdigit() or int(valor) < 1000:
        raise CaixaIndisponivel(f"o motor não reservou um uid para esta entrega ({ENV_UID}={valor!r})")
    return int(valor)


def _limites() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (TAMANHO_MAXIMO_FICHEIRO, TAMANHO_MAXIMO_FICHEIRO))
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSOS_MAXIMOS, PROCESSOS_MAXIMOS))


def main(argv: list[str]) -> None:
    if os.geteuid() != 0:
        raise CaixaIndisponivel("a caixa precisa de root")
    uid = _uid()
    if argv[:1] == ["--verificar"]:
        trabalho = tempfile.mkdtemp(prefix="curso4-verificar-")
        os.chown(trabalho, uid, uid)
        privada = _pasta_privada(uid)
        comando = [sys.executable, "-c", "import otimizacao, ipykernel, numpy; print('caixa ok')"]
        os.execvp("bwrap", [*argumentos_bwrap(trabalho, privada, uid), *comando])
    ligacao = argv[argv.index("-f") + 1]
    trabalho = os.path.realpath(os.getcwd())
    privada = _pasta_privada(uid)
    shutil.copyfile(ligacao, os.path.join(privada, "ligacao.json"))
    os.chown(os.path.join(privada, "ligacao.json"), uid, uid)
    os.chmod(os.path.join(privada, "ligacao.json"), 0o600)
    _entregar_trabalho(trabalho, uid)
    args = argumentos_bwrap(trabalho, privada, uid)
    _limites()
    resto = argv[argv.index("-f") + 2:]
    os.execvp("bwrap", [*args, sys.executable, "-m", "ipykernel_launcher", "-f", "/caixa/ligacao.json", *resto])


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Exception as erro:  # o kernel não arranca: nunca corre fora da caixa às escondidas
        print(f"Não consegui pôr o kernel do aluno na caixa de areia: {erro}. A avaliação desta entrega "
              "não corre (fica «não avaliada», nunca 0). Confirma que o bubblewrap está instalado "
              "(apt-get install bubblewrap) e que o ambiente Python não mudou de sítio.",
              file=sys.stderr)
        sys.exit(1)
