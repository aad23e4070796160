"""O que o build, a avaliação e a configuração do nbgrader partilham (uma só casa).

- as marcas que o nbgrader procura nas células (solução, testes ocultos);
- o esqueleto que o aluno vê no lugar da solução (o ``nbgrader_config.py`` lê-o daqui);
- os nomes das variáveis de ambiente ``CURSO4_*`` que passam entre processos;
- os limites por omissão (o tempo por célula é o mesmo no motor, no localizar e no nbgrader);
- o protocolo entre o motor e o ``localizar.py`` (a linha ``CELULA_FATAL``);
- a leitura dos metadados do nbgrader de uma célula.

- onde está o projeto e como se corre o nbgrader (ambiente e comando).

Só usa a biblioteca padrão (nada do resto do projeto): é importado também pelo
``nbgrader_config.py``, pelo ``localizar.py`` e pela ``caixa.py``, que correm fora do
pacote ``autograder``.
"""

import os
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
COURSE = RAIZ / "course"
AUTOGRADER = RAIZ / "autograder"  # o código do motor (nada aqui é gerado)
# A pasta do curso do professor, a raiz do nbgrader: source/, release/, submitted/, autograded/,
# feedback/, o gradebook, as notas e os relatórios. Tudo o que lá está é gerado (make notebooks,
# make avaliar, o formgrader); limpar é apagá-la (make limpar). Nunca versionada.
PROFESSOR = RAIZ / "professor"

# --------------------------------------------------------------------------- marcas do nbgrader
INICIO_SOLUCAO, FIM_SOLUCAO = "### BEGIN SOLUTION", "### END SOLUTION"
INICIO_OCULTOS, FIM_OCULTOS = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

# O que o aluno vê no lugar da solução (tem de ser igual ao esqueleto dos cadernos de course/).
ESQUELETO_CODIGO = (
    "# O TEU CÓDIGO AQUI\n"
    'raise NotImplementedError("Exercício por fazer: substitui estas duas linhas pelo teu código.")'
)
ESQUELETO_TEXTO = "ESCREVE AQUI A TUA RESPOSTA"

# --------------------------------------------------------------------------- ambiente entre processos
ENV_AUTOGRADER = "CURSO4_AUTOGRADER"  # a pasta autograder/ do projeto (config copiada noutras raízes)
ENV_TEMPO_CELULA = "CURSO4_TEMPO_CELULA"  # segundos por célula (nbgrader e localizar)
ENV_KERNEL = "CURSO4_KERNEL"  # o kernelspec com que o localizar corre o caderno
ENV_UID = "CURSO4_UID"  # o uid só desta entrega com que o kernel corre na caixa (caixa.py)
ENV_JUIZ_RELATORIO = "CURSO4_JUIZ_RELATORIO"  # onde o juiz escreve os veredictos e as suas falhas (JSON)
ENV_CAIXA = "CURSO4_CAIXA"  # onde a caixa.py cria a pasta privada de cada kernel (a da entrega)
ENV_CACHE_MODELOS = "CURSO4_CACHE_MODELOS"  # a cache do modelo de base (otimizacao.modelos), só de leitura no kernel isolado
# O gradebook principal (URL do SQLAlchemy, p. ex. postgresql://utilizador@servidor/curso); sem
# ela, o SQLite <raiz>/gradebook.db. Nunca chega às corridas de cada entrega nem ao kernel do aluno.
ENV_GRADEBOOK = "CURSO4_GRADEBOOK_URL"

# --------------------------------------------------------------------------- limites por omissão
TEMPO_CELULA_S = 120  # por célula: o nbgrader interrompe a célula e continua
TEMPO_ENTREGA_S = 1200  # relógio de uma entrega inteira (todas as corridas)
MEMORIA_MB = 8192  # espaço de endereçamento por processo (o TensorFlow reserva muito)
CPU_S = 2400  # tempo de CPU por processo

# --------------------------------------------------------------------------- protocolo do localizar
CELULA_FATAL = "CELULA_FATAL"  # «CELULA_FATAL <índice>» ou «CELULA_FATAL -» na saída do localizar.py


def url_gradebook(raiz: Path) -> str:
    """O URL (SQLAlchemy) do gradebook principal da raiz ``raiz``: o de ``CURSO4_GRADEBOOK_URL``
    se estiver definido (PostgreSQL, para vários professores no formgrader ao mesmo tempo), senão
    o SQLite ``raiz/gradebook.db`` de sempre."""
    return os.environ.get(ENV_GRADEBOOK) or f"sqlite:///{Path(raiz) / 'gradebook.db'}"


def seccoes(ficheiro: Path) -> list[tuple[int, str, list[str]]]:
    """As secções de um ficheiro Python escrito em células «# %% <cabeçalho>» (os testes ocultos,
    as variantes): ``(linha do cabeçalho, cabeçalho sem o «# %%», linhas até à secção seguinte)``.
    O que vem antes da primeira secção (o comentário do ficheiro) fica de fora. Uma linha que
    parece um cabeçalho mal escrito («#%% x», «# %%x») é um erro, não um comentário do código."""
    import re

    resultado: list[tuple[int, str, list[str]]] = []
    for numero, linha in enumerate(ficheiro.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(r"#\s*%%", linha):
            m = re.fullmatch(r"# %%(?:\s+(.*?))?\s*", linha)
            if not m:
                raise ErroConstrucao(f"{ficheiro.name}, linha {numero}: «{linha}» parece o início de uma "
                                     "secção; escreve-o como «# %% <nome>» (cardinal, espaço, %%, espaço).")
            resultado.append((numero, m.group(1) or "", []))
        elif resultado:
            resultado[-1][2].append(linha)
    return resultado


def seccoes_dos_testes_ocultos(ficheiro: Path) -> dict[str, str]:
    """As secções «# %% nome» de um ficheiro ``testes_ocultos/NN_nome.py`` (nome -> código):
    uma por célula de teste (o build junta-a à célula) e a ``contexto`` do juiz. {} se o
    ficheiro não existe; uma secção repetida é um erro do professor."""
    if not ficheiro.exists():
        return {}
    resultado: dict[str, str] = {}
    for numero, nome, linhas in seccoes(ficheiro):
        if not nome or len(nome.split()) > 1:
            raise ErroConstrucao(f"{ficheiro.name}, linha {numero}: «# %% {nome}» não é o nome de uma secção; "
                                 "escreve «# %% <grade_id da célula de teste>» ou «# %% contexto».")
        if nome in resultado:
            raise ErroConstrucao(f"{ficheiro.name}: a secção {nome} aparece duas vezes.")
        resultado[nome] = "\n".join(linhas).strip("\n")
    return resultado


def partes_do_teste(fonte: str) -> tuple[str, str]:
    """(visível, oculta) de uma célula de teste: as linhas fora e dentro das marcas dos testes
    ocultos (procuradas como o nbgrader as procura: o texto em qualquer sítio da linha)."""
    inicio, fim = INICIO_OCULTOS.removeprefix("### "), FIM_OCULTOS.removeprefix("### ")
    visivel, oculta, dentro = [], [], False
    for linha in fonte.split("\n"):
        if inicio in linha:
            dentro = True
        elif fim in linha:
            dentro = False
        else:
            (oculta if dentro else visivel).append(linha)
    return "\n".join(visivel), "\n".join(oculta)


def nbgrader_meta(celula) -> dict:
    """Os metadados ``nbgrader`` de uma célula ({} se não os tiver)."""
    return celula.get("metadata", {}).get("nbgrader", {})


def e_teste(celula) -> bool:
    """Célula de teste: avaliada e sem resposta do aluno (o nbgrader repõe-na do source)."""
    meta = nbgrader_meta(celula)
    return bool(meta.get("grade")) and not meta.get("solution")


# --------------------------------------------------------------------------- correr o nbgrader
class ErroConstrucao(RuntimeError):
    """Um caderno, uma solução, um teste oculto ou o próprio nbgrader não está como se espera."""


def ambiente_nbgrader() -> dict[str, str]:
    """Ambiente para correr o nbgrader: o ``bin`` do venv no PATH (o nbgrader chama o alembic)
    e sem PYTHONPATH, para que o código dos alunos não encontre ``solutions``."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    # O gradebook principal (e a palavra-passe que o URL possa ter) fica só com o coordenador:
    # o build e cada entrega usam o SQLite da sua raiz (ver ``nbgrader(..., principal=True)``).
    env.pop(ENV_GRADEBOOK, None)
    # Dentro do pytest, esta variável faz o ipykernel deixar de capturar o stderr do C++ (fd 2):
    # os testes veriam menos do que a avaliação a sério vê.
    env.pop("PYTEST_CURRENT_TEST", None)
    env[ENV_AUTOGRADER] = str(AUTOGRADER)
    # Menos ruído do TensorFlow (C++) e das bibliotecas; a justiça não depende disto: a
    # configuração do nbgrader trata o stderr das células de teste (nbgrader_config.py).
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONWARNINGS"] = "ignore"
    env.setdefault("MPLBACKEND", "Agg")
    return env


def copiar_configuracao(raiz: Path) -> None:
    """Põe na raiz ``raiz`` uma cópia do ``autograder/nbgrader_config.py`` (o nbgrader lê a
    configuração da pasta onde corre; a cópia encontra o motor sozinha, ver lá)."""
    Path(raiz).mkdir(parents=True, exist_ok=True)
    (Path(raiz) / "nbgrader_config.py").write_text(
        (AUTOGRADER / "nbgrader_config.py").read_text(encoding="utf-8"), encoding="utf-8")


def nbgrader(*args: str, raiz: Path = PROFESSOR, verificar: bool = True,
             principal: bool = False) -> subprocess.CompletedProcess:
    """Corre ``nbgrader <args>`` com a raiz do curso ``raiz``; com ``principal``, sobre o gradebook
    principal (``url_gradebook``), senão sobre o SQLite da raiz."""
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={raiz}"]
    env = ambiente_nbgrader()
    if principal:
        env[ENV_GRADEBOOK] = url_gradebook(raiz)
    proc = subprocess.run(cmd, cwd=raiz, env=env, capture_output=True, text=True)
    if verificar and proc.returncode != 0:
        raise ErroConstrucao(f"nbgrader {' '.join(args)} falhou:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc
