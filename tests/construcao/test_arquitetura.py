"""A forma do motor da avaliação (issue 23): divisões pequenas, sem círculos, nada corre ao importar.

O grafo é tirado do código (os ``import`` de cada módulo de ``autograder/``, também os que estão
dentro de funções): um círculo ou uma seta que volta à linha de comandos (``avaliar.py``) é um
módulo que já não se lê sozinho.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
AUTOGRADER = RAIZ / "autograder"
# O maior módulo do motor depois da divisão é o juiz.py (~540 linhas; a linha de comandos, avaliar.py,
# ~220 depois de o paralelo.py sair dela); antes, o motor.py tinha 907. Acima disto, um módulo voltou
# a juntar trabalhos.
MAX_LINHAS = 600


def _grafo() -> dict[str, set[str]]:
    grafo = {}
    for ficheiro in AUTOGRADER.glob("*.py"):
        deps = set()
        for no in ast.walk(ast.parse(ficheiro.read_text(encoding="utf-8"))):
            if isinstance(no, ast.ImportFrom) and no.module == "autograder":
                deps |= {a.name for a in no.names}
            elif isinstance(no, ast.ImportFrom) and (no.module or "").startswith("autograder."):
                deps.add(no.module.split(".")[1])
            elif isinstance(no, ast.Import):
                deps |= {a.name.split(".")[1] for a in no.names if a.name.startswith("autograder.")}
        grafo[ficheiro.stem] = deps - {ficheiro.stem}
    return grafo


def _ciclos(grafo: dict[str, set[str]]) -> list[list[str]]:
    ciclos, estado, pilha = [], {}, []

    def visitar(u):
        estado[u] = "aberto"
        pilha.append(u)
        for v in sorted(grafo.get(u, ())):
            if estado.get(v) == "aberto":
                ciclos.append(pilha[pilha.index(v):] + [v])
            elif v not in estado:
                visitar(v)
        estado[u] = "fechado"
        pilha.pop()

    for u in sorted(grafo):
        if u not in estado:
            visitar(u)
    return ciclos


def _camadas(grafo: dict[str, set[str]]) -> dict[str, int]:
    """A camada de cada módulo: 0 se não importa nenhum outro; senão, 1 + a maior das camadas dos
    que importa (num grafo sem círculos, toda a seta desce)."""
    camadas: dict[str, int] = {}

    def camada(u):
        if u not in camadas:
            camadas[u] = 0  # (um círculo não fica em ciclo infinito: o teste dos círculos apanha-o)
            camadas[u] = 1 + max((camada(v) for v in grafo.get(u, ())), default=-1)
        return camadas[u]

    for u in grafo:
        camada(u)
    return camadas


def desenho(grafo: dict[str, set[str]]) -> str:
    """O grafo dos imports do motor em Mermaid (o GitHub desenha-o), de cima para baixo por camada.
    O ``comum`` fica de fora das setas (quase todos o importam: diz-se em texto)."""
    sem_comum = {m: deps - {"comum"} for m, deps in grafo.items() if m not in {"__init__", "comum"}}
    camadas = _camadas(sem_comum)
    linhas = ["```mermaid", "flowchart TD"]
    for n in sorted(set(camadas.values()), reverse=True):
        nomes = sorted(m for m, c in camadas.items() if c == n)
        linhas.append(f"    subgraph c{n} [camada {n}]")
        linhas += [f"        {m}" for m in nomes]
        linhas.append("    end")
    for m in sorted(sem_comum, key=lambda m: (-camadas[m], m)):
        linhas += [f"    {m} --> {d}" for d in sorted(sem_comum[m])]
    linhas.append("```")
    return "\n".join(linhas)


def test_o_desenho_dos_imports_em_docs_e_o_do_codigo():
    """O grafo desenhado em docs/arquitetura.md é o que os imports dizem hoje (regenerado pela
    mensagem deste teste: copia o bloco para lá)."""
    texto = (RAIZ / "docs" / "arquitetura.md").read_text(encoding="utf-8")
    esperado = desenho(_grafo())
    assert esperado in texto, (
        "docs/arquitetura.md: o desenho dos imports do motor não é o do código. Substitui o bloco "
        "mermaid da secção «O grafo dos imports» por:\n\n" + esperado)


def test_o_desenho_poe_cada_seta_a_descer():
    """Num grafo sem círculos, cada seta vai de uma camada para uma mais baixa (o desenho lê-se de
    cima para baixo); e o desenho tem uma seta por import."""
    grafo = {"avaliar": {"paralelo", "comum"}, "paralelo": {"entrega"}, "entrega": {"comum"}, "comum": set()}
    camadas = _camadas({m: d - {"comum"} for m, d in grafo.items() if m != "comum"})
    assert camadas == {"avaliar": 2, "paralelo": 1, "entrega": 0}
    assert desenho(grafo).count("-->") == 2
    real = {m: d - {"comum"} for m, d in _grafo().items() if m not in {"__init__", "comum"}}
    c = _camadas(real)
    assert all(c[m] > c[d] for m, deps in real.items() for d in deps)


def test_o_detetor_de_ciclos_ve_um_ciclo():
    """O teste abaixo só vale se o detetor apanhar um círculo (a → b → a) e não inventar nenhum."""
    assert _ciclos({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
    assert _ciclos({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_imports_do_motor_sem_circulos_nem_setas_para_a_linha_de_comandos():
    grafo = _grafo()
    assert "motor" not in grafo, "o motor.py foi dividido (processos, kernel_na_caixa, entrega, gradebook…)"
    assert _ciclos(grafo) == []
    # Só a linha de comandos importa a linha de comandos: nenhum módulo de baixo volta ao avaliar.py.
    assert sorted(m for m, deps in grafo.items() if "avaliar" in deps) == []


def test_cada_modulo_do_motor_le_se_numa_sentada():
    # (também o pacote dos cadernos, onde está o lado do aluno do juiz: o servico_avaliacao.py
    # tinha 684 linhas antes de o formato das mensagens sair para mensagens.py)
    grandes = {f.name: n for f in [*AUTOGRADER.glob("*.py"), *(RAIZ / "course" / "otimizacao").glob("*.py")]
               if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_LINHAS}
    assert grandes == {}


def test_importar_o_motor_nao_corre_processos():
    """Importar qualquer módulo de ``autograder/`` não arranca nenhum processo (antes, importar o
    motor como root corria um ``unshare``)."""
    modulos = sorted(f.stem for f in AUTOGRADER.glob("*.py")
                     # (caixa, limitar e localizar são programas que se correm, não se importam; o
                     # nbgrader_config.py é lido pelo nbgrader com get_config)
                     if f.stem not in {"__init__", "nbgrader_config", "caixa", "limitar", "localizar"})
    codigo = (
        "import subprocess, os\n"
        "def proibido(*a, **k): raise SystemExit('arrancou um processo ao importar: ' + repr(a[:1]))\n"
        "subprocess.Popen = proibido; os.system = proibido\n"
        f"import importlib\nfor m in {modulos!r}: importlib.import_module('autograder.' + m)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout[-2000:] + proc.stderr[-2000:]


def test_a_tabela_de_testes_do_readme_esta_em_dia_com_tests():
    """Cada ``tests/<camada>/test_*.py`` tem uma linha na tabela «Testes» do README, e cada linha é de um
    ficheiro que existe (``test_solucoes_*.py`` cobre os quatro de soluções)."""
    import fnmatch
    import re

    readme = (RAIZ / "README.md").read_text(encoding="utf-8")
    seccao = readme[readme.index("### Testes (`make test`)"):readme.index("### Hábitos")]
    linhas = re.findall(r"^\| `tests/([^`]+)` \|", seccao, flags=re.M)
    ficheiros = sorted(p.relative_to(RAIZ / "tests").as_posix() for p in (RAIZ / "tests").rglob("test_*.py"))
    assert not [f for f in ficheiros if "/" not in f], "os testes vivem numa pasta por camada (tests/<camada>/)"
    sem_linha = [f for f in ficheiros if not any(fnmatch.fnmatch(f, padrao) for padrao in linhas)]
    sem_ficheiro = [padrao for padrao in linhas if not any(fnmatch.fnmatch(f, padrao) for f in ficheiros)]
    assert (sem_linha, sem_ficheiro) == ([], [])


def test_em_paralelo_cada_ficheiro_fica_num_so_processo_e_o_hub_junto():
    """O escalonador do pytest-xdist (tests/conftest.py) agrupa por ficheiro, e os dois ficheiros
    do hub da turma num só grupo (um hub por máquina: as contas do sistema são as mesmas)."""
    from tests import conftest

    grupo = conftest.grupo_xdist
    assert grupo("tests/unidade/test_juiz.py::a") == grupo("tests/unidade/test_juiz.py::b[x::y]")
    assert grupo("tests/unidade/test_juiz.py::a") != grupo("tests/unidade/test_progresso.py::a")
    assert grupo("tests/interface/test_turma.py::t") == grupo("tests/interface/test_turma_navegador.py::t")
    # Quem usa o fixture «build» (um build inteiro por processo) fica no mesmo grupo.
    com_build = sorted(str(p.relative_to(RAIZ)) for p in (RAIZ / "tests").rglob("test_*.py")
                       if re.search(r"^def test_\w+\([^)]*\bbuild\b", p.read_text(encoding="utf-8"), flags=re.M))
    assert len(com_build) >= 2 and len({grupo(f"{f}::t") for f in com_build}) == 1, com_build
    assert all((RAIZ / f).is_file() for f in conftest.JUNTOS), "JUNTOS nomeia um ficheiro que já não existe"


def test_em_paralelo_os_ficheiros_pesados_comecam_primeiro():
    """Os grupos de PESADOS_PRIMEIRO (tests/conftest.py) vão à frente, do mais demorado para o
    menos, sem partir um grupo nem trocar a ordem dos testes dentro dele; cada nome existe."""
    from tests import conftest

    grupos = set(conftest.JUNTOS.values())
    for nome in conftest.PESADOS_PRIMEIRO:
        assert nome in grupos or (RAIZ / nome).is_file(), f"PESADOS_PRIMEIRO nomeia {nome}, que já não existe"
    nodeids = ["tests/unidade/test_juiz.py::a", "tests/avaliacao/test_batota.py::a",
               "tests/interface/test_turma.py::a", "tests/unidade/test_juiz.py::b",
               "tests/avaliacao/test_avaliacao.py::a", "tests/avaliacao/test_batota.py::b",
               "tests/avaliacao/test_avaliacao.py::b", "tests/interface/test_turma_navegador.py::a"]
    ordem = [nodeids[i] for i in conftest.ordem_xdist(nodeids)]
    assert ordem == ["tests/avaliacao/test_avaliacao.py::a", "tests/avaliacao/test_avaliacao.py::b",
                     "tests/avaliacao/test_batota.py::a", "tests/avaliacao/test_batota.py::b",
                     "tests/interface/test_turma.py::a", "tests/interface/test_turma_navegador.py::a",
                     "tests/unidade/test_juiz.py::a", "tests/unidade/test_juiz.py::b"]
