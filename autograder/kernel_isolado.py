"""Lança o kernel de um aluno isolado (só como root, em Linux): ``kernel_isolado.py -f <ligação>``.

O nbgrader (e ``localizar.py``) arrancam o kernel através de um kernelspec próprio
(``motor.kernelspec``) cujo comando é este ficheiro. Antes de dar lugar ao ``ipykernel``:

1. cria um espaço de montagem só do kernel e, nele, tapa com um ``tmpfs`` vazio as pastas
   que o código do aluno não pode ver: o projeto (``solutions/``, ``autograder/`` com os
   testes ocultos, ``tests/``, ``.git``), a raiz da avaliação (gradebook, ``source/``, as
   outras entregas), a pasta das entregas, ``/root`` e ``/home``; ``/tmp``, ``/var/tmp`` e
   ``/dev/shm`` passam a ser pastas novas, só deste kernel;
2. volta a mostrar só o necessário, no mesmo sítio: o Python e as bibliotecas (só leitura),
   o pacote ``otimizacao`` (só leitura) e a pasta de trabalho do aluno (leitura e escrita;
   o caderno que o nbgrader está a executar, com os testes ocultos, fica ilegível);
3. deixa de ser root: passa a ``nobody``, sem grupos, sem poder voltar a ganhar privilégios
   (``PR_SET_NO_NEW_PRIVS``), com ``HOME`` numa pasta temporária e um limite ao tamanho dos
   ficheiros que escreve.

Escrito à mão, com ``ctypes``, porque nenhuma biblioteca mantida faz isto dentro do próprio
processo do kernel (bubblewrap/firejail seriam dependências do sistema; ver README, «Modelo de
ameaças»). Se algum passo falhar, o kernel não arranca (nunca corre sem isolamento às
escondidas): a avaliação dessa entrega falha com a mensagem abaixo.

Variáveis de ambiente (postas pelo motor): ``CURSO4_ESCONDER`` (pastas a tapar, separadas por
``os.pathsep``).
"""

import ctypes
import glob
import os
import pwd
import resource
import sys

from comum import ENV_CACHE_MODELOS, ENV_ESCONDER  # ao lado deste ficheiro (só biblioteca padrão)

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
TAMANHO_MAXIMO_FICHEIRO = 1 << 30  # 1 GB por ficheiro escrito pelo kernel
TMP_PRIVADO = "size=1g,mode=1777"  # o /tmp do kernel vive na memória: limitado a 1 GB

_libc = ctypes.CDLL(None, use_errno=True)


def _verificar(resultado: int, o_que: str) -> None:
    if resultado != 0:
        erro = ctypes.get_errno()
        raise OSError(erro, f"{o_que}: {os.strerror(erro)}")


def _montar(origem, destino, tipo, flags, dados=None) -> None:
    codificar = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _verificar(_libc.mount(codificar(origem), codificar(destino), codificar(tipo), flags, codificar(dados)),
               f"mount {origem} {destino}")


def _dentro(caminho: str, pasta: str) -> bool:
    return caminho == pasta or caminho.startswith(pasta.rstrip("/") + "/")


def _fechar_vista(esconder: list[str], ler: list[str], escrever: str) -> None:
    """Tapa ``esconder`` e volta a montar ``ler`` (só leitura) e ``escrever`` nos mesmos caminhos."""
    manter = [(p, True) for p in ler] + [(escrever, False)]
    _verificar(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _montar("none", "/", None, MS_REC | MS_PRIVATE)  # nada do que se monta aqui chega ao sistema
    # Um descritor de cada pasta a manter, aberto já no novo espaço de montagem e antes de a
    # tapar: continua a apontar para a pasta tapada e serve de origem ao bind mount.
    descritores = {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p, _ in manter}
    tapados = []
    for pasta in sorted(set(esconder), key=len):
        if not os.path.isdir(pasta):  # já tapada por uma pasta mãe, ou não existe
            continue
        privada = pasta in ("/tmp", "/var/tmp", "/dev/shm")
        _montar("tmpfs", pasta, "tmpfs", MS_NOSUID | MS_NODEV, TMP_PRIVADO if privada else "size=1m,mode=755")
        tapados.append(pasta)
    ja_visiveis: list[str] = []
    for pasta, so_leitura in sorted(manter, key=lambda m: len(m[0])):
        if not any(_dentro(pasta, t) for t in tapados) or any(_dentro(pasta, v) for v in ja_visiveis):
            continue
        os.makedirs(pasta, mode=0o755, exist_ok=True)
        _montar(f"/proc/self/fd/{descritores[pasta]}", pasta, None, MS_BIND | MS_REC)
        if so_leitura:
            _montar(None, pasta, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        ja_visiveis.append(pasta)
    for d in descritores.values():
        os.close(d)


def _fechadas_a_nobody(pastas: list[str], ninguem) -> list[str]:
    """As pastas mães de ``pastas`` que ``nobody`` não consegue atravessar (por exemplo um clone
    do projeto dentro de uma pasta 700, como as do ``mktemp -d`` ou uma casa fechada). Tapadas
    com um tmpfs 755, as pastas a manter voltam a aparecer lá dentro (``_fechar_vista``)."""
    fechadas = set()
    for pasta in pastas:
        atual = os.path.dirname(pasta)
        while atual not in ("/", ""):
            info = os.stat(atual)
            if not info.st_mode & 0o001 and info.st_uid != ninguem.pw_uid:
                fechadas.add(atual)
            atual = os.path.dirname(atual)
    return sorted(fechadas)


def main(argv: list[str]) -> None:
    ligacao = argv[argv.index("-f") + 1]
    trabalho = os.path.realpath(os.getcwd())
    ninguem = pwd.getpwnam("nobody")
    esconder = [os.path.realpath(p) for p in os.environ.get(ENV_ESCONDER, "").split(os.pathsep) if p]
    esconder += ["/root", "/home", "/tmp", "/var/tmp", "/dev/shm"]
    # O que o Python precisa: o venv, o Python base e as pastas do sys.path (inclui a do pacote
    # otimizacao, instalado em modo editável). A pasta deste ficheiro (autograder/) fica de fora.
    aqui = os.path.dirname(os.path.realpath(__file__))
    # E a cache do modelo de base da avaliação (só leitura: um aluno não a pode envenenar).
    ler = {os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, *sys.path[1:], os.environ.get(ENV_CACHE_MODELOS)]
           if p and os.path.isdir(p)}
    # Nunca se mostra uma pasta que contenha o que se quer esconder (nem a deste ficheiro).
    ler = sorted(p for p in ler if not any(_dentro(e, p) for e in [aqui, trabalho, *esconder]))
    esconder += _fechadas_a_nobody([*ler, trabalho], ninguem)
    with open(ligacao, encoding="utf-8") as f:
        dados_ligacao = f.read()
    # A cache de tipos de letra do matplotlib (evita reconstruí-la em cada kernel: ~segundos).
    caches_mpl = {}
    for caminho in glob.glob(os.path.expanduser("~/.cache/matplotlib/fontlist-*.json")):
        with open(caminho, "rb") as f:
            caches_mpl[os.path.basename(caminho)] = f.read()
    # A pasta de trabalho passa a ser do aluno, exceto os cadernos: o que o nbgrader executa já
    # tem os testes ocultos lá dentro, por isso fica só para root (o kernel não precisa dele).
    for raiz, pastas, ficheiros in os.walk(trabalho):
        for nome in pastas + ficheiros:
            caminho = os.path.join(raiz, nome)
            if nome.endswith(".ipynb") and not os.path.islink(caminho):
                os.chmod(caminho, 0o600)
            else:
                os.lchown(caminho, ninguem.pw_uid, ninguem.pw_gid)
    os.chown(trabalho, ninguem.pw_uid, ninguem.pw_gid)

    _fechar_vista(esconder, ler, trabalho)

    casa = "/tmp/casa"
    os.makedirs(os.path.join(casa, ".cache", "matplotlib"))
    for nome, conteudo in caches_mpl.items():
        with open(os.path.join(casa, ".cache", "matplotlib", nome), "wb") as f:
            f.write(conteudo)
    nova_ligacao = os.path.join(casa, "kernel.json")
    with open(nova_ligacao, "w", encoding="utf-8") as f:
        f.write(dados_ligacao)
    for raiz, pastas, ficheiros in os.walk(casa):
        for nome in [raiz, *(os.path.join(raiz, n) for n in pastas + ficheiros)]:
            os.lchown(nome, ninguem.pw_uid, ninguem.pw_gid)

    resource.setrlimit(resource.RLIMIT_FSIZE, (TAMANHO_MAXIMO_FICHEIRO, TAMANHO_MAXIMO_FICHEIRO))
    os.setgroups([])
    os.setgid(ninguem.pw_gid)
    os.setuid(ninguem.pw_uid)
    _verificar(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    os.chdir(trabalho)
    env = dict(os.environ)
    env.update(HOME=casa, USER="nobody", LOGNAME="nobody", TMPDIR="/tmp", JUPYTER_RUNTIME_DIR=casa)
    os.execve(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", nova_ligacao], env)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Exception as erro:  # o kernel não arranca: nunca corre sem isolamento às escondidas
        print(f"Não consegui isolar o kernel do aluno ({erro}); a avaliação desta entrega não corre. "
              "Avalia como root numa máquina Linux com unshare (ver README, «Modelo de ameaças»).",
              file=sys.stderr)
        sys.exit(1)
