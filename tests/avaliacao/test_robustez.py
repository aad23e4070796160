"""Avaliação robusta (issue #5): entregas más, isolamento, nada perdido.

Cada caso é uma entrega a sério, avaliada pelo nbgrader através do motor de avaliação
(``autograder/entrega.py``), numa tarefa pequena («mini»: dois exercícios, 2 + 3 pontos) para
que a bateria corra em poucos minutos. Para cada caso verifica-se: a nota (0 no que a falha
tocou, o resto intacto), o motivo em pt-PT, e que o resto da turma é avaliado normalmente.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import (
    avaliar,
    comum,
    construir,
    entrega,
    gradebook,
    kernel_na_caixa,
    paralelo,
    processos,
    turma_demo,
)

pytestmark = pytest.mark.lento

CERTO_DOBRO = "def dobro(x):\n    return 2 * x"
CERTO_SOMA = "def soma(a, b):\n    return a + b"
# 10 s por célula: com a máquina carregada (CI, 2 núcleos) a bomba de memória chegou a passar dos 4 s.
LIMITES = processos.Limites(tempo_celula=10, tempo_entrega=180, memoria_mb=2048, cpu_s=120)


def _meta(gid, grade, sol, locked, pontos=None):
    m = {"cell_type": "code", "grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3,
         "solution": sol, "task": False}
    if pontos:
        m["points"] = pontos
    d = {"deletable": False, "nbgrader": m}
    if locked:
        d["editable"] = False
    return d


def _source():
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    celulas = [
        new_markdown_cell("# Mini"),
        new_code_cell("import numpy as np\nfrom otimizacao.verificacao import levanta"),
        new_code_cell("def dobro(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        new_code_cell('assert dobro(2) == 4, "dobro(2) deve dar 4."\n### BEGIN HIDDEN TESTS\n'
                      'assert dobro(-3) == -6, "dobro(-3) deve dar -6."\n### END HIDDEN TESTS'),
        new_code_cell("def soma(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"),
        new_code_cell('assert soma(2, 3) == 5, "soma(2, 3) deve dar 5."\n'
                      'assert np.allclose(soma(np.ones(2), np.ones(2)), [2, 2]), "soma de arrays"\n'
                      'assert levanta(TypeError, soma, 1, "a"), "soma(1, \'a\') deve levantar TypeError."'),
    ]
    metas = [None, None, _meta("dobro", False, True, False), _meta("teste_dobro", True, False, True, 2),
             _meta("soma", False, True, False), _meta("teste_soma", True, False, True, 3)]
    for i, (c, m) in enumerate(zip(celulas, metas, strict=True)):
        c["id"] = f"mini-{i}"
        if m:
            c.metadata = m
    nb.cells = celulas
    return nb


def _aluno(release, dobro=CERTO_DOBRO, soma=CERTO_SOMA, mexer=None):
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    nb.cells[2].source = dobro
    nb.cells[4].source = soma
    if mexer:
        mexer(nb)
    return nb


@pytest.fixture(scope="module")
def turma(tmp_path_factory):
    """Avalia a turma inteira uma vez; devolve (raiz, resultados por aluno, pasta das entregas)."""
    raiz = tmp_path_factory.mktemp("robustez")
    comum.copiar_configuracao(raiz)
    (raiz / "source" / "mini").mkdir(parents=True)
    nbformat.write(_source(), raiz / "source" / "mini" / "mini.ipynb")
    comum.nbgrader("generate_assignment", "mini", "--force", raiz=raiz)
    release = nbformat.read(raiz / "release" / "mini" / "mini.ipynb", as_version=4)
    entregas = raiz / "entregas"

    def escrever(aluno, nb, nome="mini.ipynb"):
        pasta = entregas / aluno / "mini"
        pasta.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, pasta / nome)
        return pasta

    escrever("certo", _aluno(release))
    escrever("ciclo_infinito", _aluno(release, dobro="def dobro(x):\n    while True:\n        pass"))
    escrever("os_exit", _aluno(release, soma="import os\nos._exit(3)"))
    escrever("segfault", _aluno(release, dobro="import ctypes\nctypes.string_at(0)"))
    escrever("memoria", _aluno(release, soma="lixo = []\nwhile True:\n    lixo.append(bytearray(50 * 2**20))"))
    escrever("saida_enorme", _aluno(release, dobro="print(\"\\n\".join(map(str, range(100_000))))\n" + CERTO_DOBRO))
    escrever("sintaxe", _aluno(release, soma="def soma(a, b)\n    return a + b"))
    escrever("input", _aluno(release, dobro="nome = input('nome? ')\n" + CERTO_DOBRO))

    def desarrumar(nb):
        dobro, teste_dobro, soma, teste_soma = nb.cells[2], nb.cells[3], nb.cells[4], nb.cells[5]
        copia = nbformat.from_dict(json.loads(json.dumps(soma)))
        copia.source = "def soma(a, b):\n    return 0"
        nb.cells = [nb.cells[0], nb.cells[1], soma, teste_soma, copia, dobro, teste_dobro]

    escrever("desarrumado", _aluno(release, mexer=desarrumar))
    escrever("apagou", _aluno(release, mexer=lambda nb: nb.cells.pop(4)))

    def editar_teste(nb):
        nb.cells[3].source = "assert True"

    escrever("editou_teste", _aluno(release, dobro="def dobro(x):\n    return x", mexer=editar_teste))

    def batota(nb):
        c = new_code_cell("levanta = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True")
        c["id"] = "batota"
        nb.cells.insert(5, c)

    escrever("redefine_verificacao", _aluno(release, soma="def soma(a, b):\n    return 0", mexer=batota))

    def ajudante(nb):  # células honestas: uma classe auxiliar e atributos dos próprios objetos
        c = new_code_cell("class Tabela:\n    def __init__(self):\n        self.fator = 2\n\n"
                          "tabela = Tabela()\ntabela.fator = 2\nnp.set_printoptions(precision=3)")
        c["id"] = "ajudante"
        nb.cells.insert(2, c)

    escrever("ajudante_honesto", _aluno(release, dobro="def dobro(x):\n    return tabela.fator * x", mexer=ajudante))

    def remenda_funcao(nb):  # altera um módulo, mas dentro de uma função que a resposta nunca chama
        c = new_code_cell("def nunca_chamada():\n    np.allclose = lambda *a, **k: True\n")
        c["id"] = "remenda_funcao"
        nb.cells.insert(5, c)

    escrever("remenda_dentro_de_funcao", _aluno(release, mexer=remenda_funcao))
    pasta = entregas / "json_invalido" / "mini"
    pasta.mkdir(parents=True)
    (pasta / "mini.ipynb").write_text('{"cells": [', encoding="utf-8")
    (entregas / "sem_caderno" / "mini").mkdir(parents=True)
    escrever("renomeado", _aluno(release), nome="mini (1).ipynb")
    extra = escrever("ficheiros_extra", _aluno(release))
    (extra / "notas.txt").write_text("rascunho", encoding="utf-8")
    escrever("importa_solutions", _aluno(release, dobro="from solutions import memoria_modelo\n" + CERTO_DOBRO))
    escrever("rede", _aluno(release, dobro=(
        "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=3)\n" + CERTO_DOBRO)))
    escrever("Zé Maria", _aluno(release))
    # O bisbilhoteiro escreve a sério fora da sua pasta (no repositório, em /root e /etc): só
    # entra com a caixa de areia. Sem ela (uma máquina sem bwrap) os seus testes são saltados,
    # mas os ficheiros ficavam escritos — e depois, já com a caixa, o teste dele falhava por
    # os encontrar.
    if processos.isolamento():
        escrever("bisbilhoteiro", _aluno(release, dobro=_codigo_bisbilhoteiro(raiz, entregas)))
    ocultos = REPO / "autograder" / "testes_ocultos" / "00_numeros_e_memoria.py"
    escrever("le_testes_ocultos", _aluno(release, dobro=f"print(open({str(ocultos)!r}).read())\n" + CERTO_DOBRO))

    lista = avaliar.entregas_a_avaliar(entregas, ["mini"])
    resultados = paralelo.avaliar_todas(raiz, lista, workers=2, limites=LIMITES)
    gradebook.registar(raiz, resultados)
    return raiz, {r.aluno: r for r in resultados}, entregas


REPO = comum.AUTOGRADER.parent


def _alvos(raiz, entregas):
    """O que um aluno mal-intencionado quer ler e onde quer escrever (caminhos do anfitrião)."""
    ler = [REPO / "solutions" / "__init__.py", REPO / "autograder" / "testes_ocultos" / "00_numeros_e_memoria.py",
           REPO / "autograder" / "nbgrader_config.py", raiz / "gradebook.db", raiz / "source" / "mini" / "mini.ipynb",
           entregas / "certo" / "mini" / "mini.ipynb"]
    # Ficheiros que já existem: abertos para escrita em modo «acrescentar», sem escrever nada.
    alterar = [raiz / "gradebook.db", raiz / "source" / "mini" / "mini.ipynb", REPO / "solutions" / "__init__.py",
               REPO / "course" / "otimizacao" / "verificacao.py"]
    criar = [raiz / "escrito_pelo_aluno.txt", REPO / "escrito_pelo_aluno.txt", entregas / "escrito_pelo_aluno.txt",
             REPO / "course" / "escrito_pelo_aluno.txt", Path("/root/escrito_pelo_aluno.txt"),
             Path("/etc/escrito_pelo_aluno.txt")]
    return [str(c) for c in ler], [str(c) for c in alterar], [str(c) for c in criar]


def _codigo_bisbilhoteiro(raiz, entregas):
    ler, alterar, criar = _alvos(raiz, entregas)
    return f"""import json, os
lidos, alterados, criados = [], [], []
# Mais o ambiente do nbgrader que lançou o kernel (root): só existe do lado do kernel.
for caminho in {ler!r} + [f"/proc/{{os.getppid()}}/environ"]:
    try:
        with open(caminho, "rb") as f:
            f.read(1)
        lidos.append(caminho)
    except OSError:
        pass
# O caderno que o nbgrader está a executar, na pasta do kernel, tem os testes ocultos.
for caminho in [n for n in os.listdir(".") if n.endswith(".ipynb")]:
    try:
        if "dobro(-3)" in open(caminho, encoding="utf-8").read():
            lidos.append("testes ocultos em " + caminho)
    except OSError:
        pass
for caminho in {alterar!r}:
    try:
        os.close(os.open(caminho, os.O_WRONLY | os.O_APPEND))
        alterados.append(caminho)
    except OSError:
        pass
for caminho in {criar!r}:
    try:
        with open(caminho, "w") as f:
            f.write("batota")
        criados.append(caminho)
    except OSError:
        pass
with open("na_minha_pasta.txt", "w") as f:
    f.write("permitido")
print("BISBILHOTICE", json.dumps({{"lidos": lidos, "alterados": alterados, "criados": criados, "uid": os.getuid(),
      "minha_pasta": open("na_minha_pasta.txt").read()}}))
""" + CERTO_DOBRO


def _pontos(r):
    return {gid: p for gid, (p, _) in r.notas.items()}


def _motivos(r):
    return " ".join(r.motivos)


def test_aluno_certo_tem_tudo_e_sem_avisos(turma):
    _, res, _ = turma
    assert _pontos(res["certo"]) == {"teste_dobro": 2.0, "teste_soma": 3.0}
    assert res["certo"].motivos == []


@pytest.mark.parametrize(
    ("aluno", "esperado", "palavra"),
    [
        ("ciclo_infinito", {"teste_dobro": 0.0, "teste_soma": 3.0}, "tempo máximo"),
        ("os_exit", {"teste_dobro": 2.0, "teste_soma": 0.0}, "kernel morrer"),
        ("segfault", {"teste_dobro": 0.0, "teste_soma": 3.0}, "kernel morrer"),
        ("memoria", {"teste_dobro": 2.0, "teste_soma": 0.0}, "memória"),
        ("saida_enorme", {"teste_dobro": 2.0, "teste_soma": 3.0}, "demasiado no ecrã"),
        ("sintaxe", {"teste_dobro": 2.0, "teste_soma": 0.0}, "sintaxe"),
        ("input", {"teste_dobro": 0.0, "teste_soma": 3.0}, "input()"),
        ("desarrumado", {"teste_dobro": 2.0, "teste_soma": 3.0}, "duplicadas"),
        ("apagou", {"teste_dobro": 2.0, "teste_soma": 0.0}, "Apagaste"),
        ("editou_teste", {"teste_dobro": 0.0, "teste_soma": 3.0}, "só de leitura"),
        ("redefine_verificacao", {"teste_dobro": 2.0, "teste_soma": 0.0}, "foi retirada"),
        ("ajudante_honesto", {"teste_dobro": 2.0, "teste_soma": 3.0}, ""),
        ("remenda_dentro_de_funcao", {"teste_dobro": 2.0, "teste_soma": 3.0}, ""),
        ("json_invalido", {"teste_dobro": 0.0, "teste_soma": 0.0}, "não é um caderno válido"),
        ("sem_caderno", {"teste_dobro": 0.0, "teste_soma": 0.0}, "Não entregaste"),
        ("renomeado", {"teste_dobro": 2.0, "teste_soma": 3.0}, "mini (1).ipynb"),
        ("ficheiros_extra", {"teste_dobro": 2.0, "teste_soma": 3.0}, "notas.txt"),
        ("importa_solutions", {"teste_dobro": 0.0, "teste_soma": 3.0}, "solutions"),
        ("Zé Maria", {"teste_dobro": 2.0, "teste_soma": 3.0}, "Ze_Maria"),
    ],
)
def test_entrega_ma_perde_so_o_que_a_falha_tocou_e_diz_porque(turma, aluno, esperado, palavra):
    _, res, _ = turma
    r = res[aluno]
    assert _pontos(r) == esperado, r.motivos
    assert palavra in _motivos(r), r.motivos
    if not palavra:  # células honestas: nada é retirado nem assinalado
        assert r.motivos == [], r.motivos


@pytest.mark.parametrize(
    ("celula", "fica"),
    [
        ("class Ajuda:\n    def __init__(self):\n        self.tabela = {}", True),
        ("professor.trainable = False", True),
        ("def f():\n    np.allclose = None", True),
        ("import matplotlib as mpl\nmpl.rcParams['figure.dpi'] = 80", True),
        ("from otimizacao.verificacao import levanta", True),
        ("levanta = lambda *a, **k: True", False),
        ("np.allclose = lambda *a, **k: True", False),
        ("setattr(np, 'allclose', print)", False),
        ("import sys\nsys.modules['numpy'] = None", False),
        ("def f():\n    global levanta\n    levanta = print", False),
        ("from os import path as levanta", False),
        ("class X:\n    np.allclose = print", False),
    ],
)
def test_so_sai_a_celula_que_mexe_na_verificacao(celula, fica):
    """Sem kernel: a regra que decide que células acrescentadas saem (``entregas._suspeita``)."""
    from autograder.entregas import _suspeita, nomes_importados

    modulos = nomes_importados("import numpy as np\nfrom otimizacao.verificacao import levanta")
    assert (_suspeita(celula, modulos) is None) == fica, _suspeita(celula, modulos)


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/unshare: a rede não é isolada (ver README)")
def test_sem_rede_durante_a_avaliacao(turma):
    _, res, _ = turma
    assert _pontos(res["rede"]) == {"teste_dobro": 0.0, "teste_soma": 3.0}
    assert "rede" in _motivos(res["rede"])


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/unshare/Linux: o kernel corre com as permissões de quem avalia (ver README)")
def test_kernel_nao_le_solucoes_testes_ocultos_nem_gradebook_nem_escreve_fora_da_pasta(turma):
    raiz, res, entregas = turma
    r = res["bisbilhoteiro"]
    ler, alterar, criar = _alvos(raiz, entregas)
    # Controlo: no anfitrião tudo isto existe e quem avalia (root) pode lê-lo e alterá-lo, por
    # isso, sem isolamento, a célula teria lido e alterado tudo.
    assert all(os.access(c, os.R_OK) for c in ler) and all(os.access(c, os.W_OK) for c in alterar)
    nb = nbformat.read(raiz / "autograded" / r.aluno_id / "mini" / "mini.ipynb", as_version=4)
    texto = "".join(s.get("text", "") for c in nb.cells if c.cell_type == "code" for s in c.outputs)
    linha = next(x for x in texto.splitlines() if x.startswith("BISBILHOTICE "))
    visto = json.loads(linha.split(" ", 1)[1])
    assert visto["lidos"] == [] and visto["alterados"] == [] and visto["criados"] == [], visto
    assert visto["uid"] != 0
    assert visto["minha_pasta"] == "permitido"  # na sua pasta de trabalho pode escrever (os cadernos guardam modelos)
    assert not any(Path(c).exists() for c in criar)
    assert _pontos(r) == {"teste_dobro": 2.0, "teste_soma": 3.0}  # o isolamento não estraga a avaliação


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/unshare/Linux: o kernel lê o disco de quem avalia (ver README)")
def test_ler_os_testes_ocultos_falha_e_diz_porque(turma):
    _, res, _ = turma
    r = res["le_testes_ocultos"]
    assert _pontos(r) == {"teste_dobro": 0.0, "teste_soma": 3.0}, r.motivos
    assert "FileNotFoundError" in _motivos(r) and "própria pasta" in _motivos(r), r.motivos


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/unshare/setpriv")
def test_kernel_que_nao_consegue_entrar_na_caixa_nao_arranca(tmp_path):
    """Sem o bwrap (ou sem um uid reservado pelo motor), o lançador sai com um erro em pt-PT que
    diz o que falta, em vez de arrancar um kernel fora da caixa."""
    import subprocess
    import sys

    ligacao = tmp_path / "kernel.json"
    ligacao.write_text("{}", encoding="utf-8")
    caixa = str(comum.AUTOGRADER / "caixa.py")
    for env, falta in [({"PATH": "/nada", "CURSO4_UID": "200999"}, "«bwrap»"),
                       ({"PATH": os.environ["PATH"], "CURSO4_UID": "5"}, "não reservou um uid")]:
        proc = subprocess.run([sys.executable, caixa, "-f", str(ligacao)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "Não consegui pôr o kernel do aluno na caixa" in proc.stderr and falta in proc.stderr, proc.stderr
        assert "ipykernel" not in proc.stderr  # nunca chegou a arrancar o kernel


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/bubblewrap")
def test_caixa_com_o_venv_numa_ligacao_simbolica(tmp_path):
    """Um clone cujo .venv é uma ligação simbólica para outra pasta: a caixa mostra o venv pelos
    dois caminhos e o kernel arranca (antes, cada kernel falhava e a turma ficava com 0)."""
    import subprocess
    import sys

    venv = Path(sys.prefix)
    ligado = tmp_path / "clone" / ".venv"
    ligado.parent.mkdir()
    ligado.symlink_to(venv, target_is_directory=True)
    python = ligado / "bin" / "python"
    env = dict(os.environ, CURSO4_UID="200998")
    proc = subprocess.run([str(python), str(comum.AUTOGRADER / "caixa.py"), "--verificar"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "caixa ok" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/bubblewrap")
def test_falha_da_caixa_deixa_a_entrega_nao_avaliada_e_a_proxima_corrida_avalia(tmp_path, monkeypatch):
    """Uma caixa que não arranca (aqui: um uid inválido) não é uma nota: a entrega fica «não
    avaliada» (sem pontos, não guardada para a retoma) e a corrida seguinte avalia-a."""
    import contextlib

    raiz = tmp_path / "raiz"
    raiz.mkdir()
    comum.copiar_configuracao(raiz)
    (raiz / "source" / "mini").mkdir(parents=True)
    nbformat.write(_source(), raiz / "source" / "mini" / "mini.ipynb")
    comum.nbgrader("generate_assignment", "mini", "--force", raiz=raiz)
    pasta = _entrega_mini(raiz, tmp_path / "entregas", "certo")
    verdadeiro = kernel_na_caixa.uid_reservado
    monkeypatch.setattr(kernel_na_caixa, "uid_reservado", lambda: contextlib.nullcontext(5))
    r = entrega.avaliar_entrega(raiz, "mini", "certo", pasta, LIMITES)
    assert "caixa" in r.nao_avaliada and not r.avaliado, (r.nao_avaliada, r.motivos)
    assert all(p is None for p, _ in r.notas.values()), r.notas
    assert not (raiz / ".avaliacao" / "certo" / "mini" / "resultado.json").exists()
    monkeypatch.setattr(kernel_na_caixa, "uid_reservado", verdadeiro)
    r = entrega.avaliar_entrega(raiz, "mini", "certo", pasta, LIMITES)
    assert (r.total, r.maximo, r.nao_avaliada) == (5, 5, ""), (r.motivos, r.nao_avaliada)


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/unshare")
def test_avaliacao_isolada_dentro_de_uma_pasta_700():
    """Uma raiz de avaliação dentro de uma pasta que só root atravessa (fora de /tmp, que o
    kernel isolado já tapa): o kernel, como nobody, chega à sua pasta na mesma e a nota é a toda."""
    import tempfile

    if not os.access("/run", os.W_OK):
        pytest.skip("/run não é gravável")
    fechada = Path(tempfile.mkdtemp(prefix="curso4-700-", dir="/run"))
    try:
        assert fechada.stat().st_mode & 0o777 == 0o700
        raiz = fechada / "raiz"
        raiz.mkdir()
        comum.copiar_configuracao(raiz)
        (raiz / "source" / "mini").mkdir(parents=True)
        nbformat.write(_source(), raiz / "source" / "mini" / "mini.ipynb")
        comum.nbgrader("generate_assignment", "mini", "--force", raiz=raiz)
        release = nbformat.read(raiz / "release" / "mini" / "mini.ipynb", as_version=4)
        pasta = fechada / "entregas" / "certo" / "mini"
        pasta.mkdir(parents=True)
        nbformat.write(_aluno(release), pasta / "mini.ipynb")
        r = entrega.avaliar_entrega(raiz, "mini", "certo", pasta, LIMITES)
        assert (r.total, r.maximo) == (5, 5), r.motivos
    finally:
        shutil.rmtree(fechada, ignore_errors=True)


def _entrega_mini(raiz, entregas, aluno, **respostas):
    release = nbformat.read(raiz / "release" / "mini" / "mini.ipynb", as_version=4)
    pasta = entregas / aluno / "mini"
    pasta.mkdir(parents=True, exist_ok=True)
    nbformat.write(_aluno(release, **respostas), pasta / "mini.ipynb")
    return pasta


def test_um_so_prazo_para_a_entrega_inteira(turma):
    """O tempo total é da entrega, não de cada corrida: um kernel que morre em todas as
    tentativas (nbgrader, localizar, nova avaliação…) não ganha o prazo outra vez em cada uma."""
    raiz, _, entregas = turma
    morre = "import os, time\ntime.sleep(3)\nos._exit(1)"
    pasta = _entrega_mini(raiz, entregas, "morre_devagar", dobro=morre, soma=morre)
    limites = processos.Limites(tempo_celula=10, tempo_entrega=20, memoria_mb=2048, cpu_s=120)
    r = entrega.avaliar_entrega(raiz, "mini", "morre_devagar", pasta, limites, refazer=True)
    # Cada volta (nbgrader + localizar) leva ~15 s aqui: sem um só prazo, as duas voltas e a
    # avaliação final passariam bem dos 20 s. 10 s de margem para matar os processos.
    assert r.segundos < limites.tempo_entrega + 10, r.segundos
    assert "tempo total de 20 s" in _motivos(r), r.motivos
    assert r.total == 0


def test_quando_as_tentativas_acabam_o_motivo_nao_diz_que_avaliou(turma, monkeypatch):
    raiz, _, entregas = turma
    monkeypatch.setattr(entrega, "TENTATIVAS", 2)
    morre = "import os\nos._exit(1)"
    pasta = _entrega_mini(raiz, entregas, "morre_sempre", dobro=morre, soma=morre)
    r = entrega.avaliar_entrega(raiz, "mini", "morre_sempre", pasta, LIMITES, refazer=True)
    assert not r.avaliado and r.total == 0
    assert "continuou a morrer" in _motivos(r), r.motivos
    assert "o resto do caderno foi avaliado" not in _motivos(r), r.motivos


def test_impressao_cobre_codigo_da_avaliacao_otimizacao_e_versoes(tmp_path, monkeypatch):
    """A retoma só reaproveita um resultado se nada do que decide a nota mudou."""
    copia = tmp_path / "projeto"
    for relativo in ["autograder/entrega.py", "autograder/nbgrader_config.py", "autograder/testes_ocultos/00_numeros_e_memoria.py",
                     "course/otimizacao/verificacao.py", "requirements.txt"]:
        (copia / relativo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relativo, copia / relativo)
    monkeypatch.setattr(entrega, "AUTOGRADER", copia / "autograder")

    def impressao():
        monkeypatch.setattr(entrega, "_IMPRESSAO_AVALIACAO", None)
        return entrega.impressao_da_avaliacao()

    base = impressao()
    assert impressao() == base  # nada mudou: a mesma
    for relativo in ["autograder/entrega.py", "autograder/nbgrader_config.py", "autograder/testes_ocultos/00_numeros_e_memoria.py",
                     "course/otimizacao/verificacao.py", "requirements.txt"]:
        ficheiro = copia / relativo
        original = ficheiro.read_text(encoding="utf-8")
        ficheiro.write_text(original + "\n# mudança\n", encoding="utf-8")
        assert impressao() != base, relativo
        ficheiro.write_text(original, encoding="utf-8")
    assert impressao() == base



def test_impressao_cobre_limites_isolamento_e_versoes_instaladas(tmp_path, monkeypatch):
    """Mudar um limite, o isolamento ou a versão instalada de um pacote fixado faz reavaliar."""
    from importlib import metadata

    pasta = tmp_path / "entrega"
    pasta.mkdir()
    (pasta / "x.ipynb").write_text("{}", encoding="utf-8")
    source = tmp_path / "source.ipynb"
    source.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(entrega, "_IMPRESSAO_AVALIACAO", None)
    base = entrega.impressao_entrega(pasta, source, LIMITES)
    assert entrega.impressao_entrega(pasta, source, LIMITES) == base
    for campo, valor in [("tempo_celula", LIMITES.tempo_celula + 1), ("tempo_entrega", LIMITES.tempo_entrega + 1),
                         ("memoria_mb", LIMITES.memoria_mb + 1), ("cpu_s", LIMITES.cpu_s + 1), ("sem_rede", not LIMITES.sem_rede)]:
        assert entrega.impressao_entrega(pasta, source, replace(LIMITES, **{campo: valor})) != base, campo
    isolado = processos.isolamento()
    monkeypatch.setattr(processos, "isolamento", lambda: not isolado)
    assert entrega.impressao_entrega(pasta, source, LIMITES) != base
    monkeypatch.undo()
    verdadeira = metadata.version
    monkeypatch.setattr(metadata, "version", lambda nome: "0.0-outra" if nome == "nbgrader" else verdadeira(nome))
    monkeypatch.setattr(entrega, "_IMPRESSAO_AVALIACAO", None)
    assert entrega.impressao_entrega(pasta, source, LIMITES) != base  # outro nbgrader instalado


def test_limites_nunca_por_preexec_fn():
    """O preexec_fn do subprocess corre código Python entre o fork e o exec e não é seguro com
    threads (a avaliação corre entregas em paralelo): os limites põe-nos o lançador limitar.py.
    Este teste falha se algum ficheiro da avaliação voltar a passar um preexec_fn."""
    import ast

    chamadas = []
    for ficheiro in sorted((REPO / "autograder").glob("*.py")):
        for no in ast.walk(ast.parse(ficheiro.read_text(encoding="utf-8"))):
            if isinstance(no, ast.Call) and any(k.arg == "preexec_fn" for k in no.keywords):
                chamadas.append(f"{ficheiro.name}:{no.lineno}")
    assert not chamadas, f"preexec_fn em {chamadas}"

def test_retoma_reavalia_quando_o_codigo_da_avaliacao_muda(turma, monkeypatch):
    raiz, _, entregas = turma
    pasta = _entrega_mini(raiz, entregas, "retoma")
    primeira = entrega.avaliar_entrega(raiz, "mini", "retoma", pasta, LIMITES)
    assert entrega.avaliar_entrega(raiz, "mini", "retoma", pasta, LIMITES).segundos == primeira.segundos  # retomada
    monkeypatch.setattr(entrega, "_IMPRESSAO_AVALIACAO", "outra versão do motor")
    nova = entrega.avaliar_entrega(raiz, "mini", "retoma", pasta, LIMITES)
    assert nova.segundos != primeira.segundos  # avaliada de novo
    assert _pontos(nova) == _pontos(primeira) == {"teste_dobro": 2.0, "teste_soma": 3.0}


def test_gradebook_principal_consistente_com_os_resultados(turma):
    raiz, res, _ = turma
    no_gradebook = {}
    for n in gradebook.notas(raiz, ["mini"]):
        no_gradebook.setdefault(n.aluno, {})[n.celula] = n.pontos
    assert set(no_gradebook) == {r.aluno_id for r in res.values()}
    for r in res.values():
        assert no_gradebook[r.aluno_id] == _pontos(r), r.aluno


def test_feedback_tem_os_motivos(turma):
    raiz, res, _ = turma
    r = res["os_exit"]
    html = (raiz / "feedback" / r.aluno_id / "mini" / "mini.html").read_text(encoding="utf-8")
    assert "Avisos da avaliação" in html and "kernel morrer" in html


def test_avaliar_de_novo_da_o_mesmo_e_retoma_sem_refazer(turma):
    raiz, res, entregas = turma
    lista = [(a, t, p) for a, t, p in avaliar.entregas_a_avaliar(entregas, ["mini"]) if a in ("certo", "os_exit")]
    retomados = {r.aluno: r for r in paralelo.avaliar_todas(raiz, lista, workers=2, limites=LIMITES)}
    for aluno in ("certo", "os_exit"):
        assert _pontos(retomados[aluno]) == _pontos(res[aluno])
        assert retomados[aluno].segundos == res[aluno].segundos  # veio do resultado guardado
    refeitos = {r.aluno: r for r in paralelo.avaliar_todas(raiz, lista, workers=2, limites=LIMITES, refazer=True)}
    for aluno in ("certo", "os_exit"):
        assert _pontos(refeitos[aluno]) == _pontos(res[aluno])
        assert refeitos[aluno].segundos != res[aluno].segundos  # avaliado de novo


def test_nenhum_processo_fica_a_correr(turma):
    import psutil

    raiz, _, _ = turma
    restos = []
    for p in psutil.process_iter(["cmdline", "cwd"]):
        try:
            texto = " ".join(p.info["cmdline"] or []) + " " + (p.info["cwd"] or "")
        except (psutil.Error, TypeError):
            continue
        if str(raiz) in texto:
            restos.append(texto)
    assert restos == []


def test_identificador_seguro():
    from autograder.entregas import id_seguro

    assert id_seguro("ana_silva") == "ana_silva"
    a, b = id_seguro("Zé Maria"), id_seguro("Ze Maria")
    assert a.startswith("Ze_Maria-") and b.startswith("Ze_Maria-") and a != b
    assert id_seguro("../../etc") != "../../etc" and "/" not in id_seguro("../../etc")


def test_pasta_de_submissoes_vazia_da_mensagem(tmp_path):
    with pytest.raises(SystemExit, match="Não encontrei pastas de alunos"):
        avaliar.entregas_a_avaliar(tmp_path, ["mini"])
    with pytest.raises(SystemExit, match="não existe"):
        avaliar.entregas_a_avaliar(tmp_path / "nada", ["mini"])




def test_depois_do_ctrl_c_nenhum_processo_novo_arranca(tmp_path):
    """Issue 20: depois do Ctrl-C (matar_todos), uma thread que ainda esteja a avaliar não arranca
    mais nenhum processo (antes arrancava um localizar.py atrás do outro)."""
    import sys

    processos.matar_todos()
    try:
        with pytest.raises(processos.Interrompida):
            processos.correr_limitado([sys.executable, "-c", "open('arrancou', 'w')"], tmp_path, dict(os.environ), LIMITES)
        assert not (tmp_path / "arrancou").exists()
    finally:
        processos.PARAR.clear()
    codigo, _, _ = processos.correr_limitado([sys.executable, "-c", "print('ok')"], tmp_path, dict(os.environ), LIMITES)
    assert codigo == 0  # controlo: sem o Ctrl-C, o mesmo comando corre


def _descendentes(pid: int) -> set[int]:
    """Os processos descendentes de ``pid`` (por /proc), incluindo os de outros espaços de PIDs."""
    filhos: dict[int, list[int]] = {}
    for entrada in Path("/proc").iterdir():
        if entrada.name.isdigit():
            try:
                campos = (entrada / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            filhos.setdefault(int(campos[1]), []).append(int(entrada.name))
    vistos, fila = set(), [pid]
    while fila:
        for filho in filhos.get(fila.pop(), []):
            if filho not in vistos:
                vistos.add(filho)
                fila.append(filho)
    return vistos


def _vivo(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="precisa de /proc (Linux)")
def test_sigterm_para_tudo_como_o_ctrl_c(tmp_path):
    """Um ``kill`` (SIGTERM) ao make avaliar a meio: sai em segundos com o código do Ctrl-C (130) e
    não deixa nenhum processo da avaliação vivo (antes, os kernels e o localizar.py ficavam)."""
    import subprocess
    import sys
    import time

    tarefa = "00_numeros_e_memoria"
    raiz, entregas = tmp_path / "raiz", tmp_path / "entregas"
    construir.construir(raiz, so=[tarefa])
    nb = turma_demo.caderno_com_respostas(raiz / "release" / tarefa / f"{tarefa}.ipynb",
                                       {"memoria_modelo": "import time\ntime.sleep(300)"})
    (entregas / "demora" / tarefa).mkdir(parents=True)
    nbformat.write(nb, entregas / "demora" / tarefa / f"{tarefa}.ipynb")
    proc = subprocess.Popen([sys.executable, "-m", "autograder.avaliar", "--raiz", str(raiz), "--submissoes",
                             str(entregas), "--tarefas", tarefa, "--workers", "1", "--refazer"],
                            cwd=comum.RAIZ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        limite, vistos = time.monotonic() + 120, set()
        while time.monotonic() < limite and proc.poll() is None:
            vistos |= _descendentes(proc.pid)
            cmds = [(Path("/proc") / str(p) / "cmdline").read_bytes() for p in vistos if _vivo(p)]
            if any(b"ipykernel" in c for c in cmds):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"o kernel da entrega não chegou a arrancar (código {proc.poll()}): "
                        f"{proc.communicate(timeout=30)[0][-2000:] if proc.poll() is not None else ''}")
        time.sleep(2)
        vistos |= _descendentes(proc.pid)
        proc.terminate()
        saida, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, saida[-2000:]
    assert "Avaliação interrompida" in saida, saida[-2000:]
    time.sleep(2)
    assert not [p for p in vistos if _vivo(p)], "ficaram processos da avaliação vivos"
