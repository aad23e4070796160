"""Issue 20: batota tão difícil como resolver (o corpus de ataques e o corpus honesto).

Cada caso é uma entrega do caderno ``00_numeros_e_memoria`` avaliada pela avaliação a sério
(``autograder.avaliar``: nbgrader, caixa de areia, juiz), todas numa só corrida. As batotas
partem do caderno por fazer (os esqueletos, que valem 0) e acrescentam só a batota: cada uma
tem de valer **no máximo o mesmo que o caderno sem ela**, 0. As respostas honestas mas
invulgares partem da referência e trocam uma resposta: têm de manter a nota toda (14/14).

Porquê o 00: é o caderno onde a batota foi demonstrada (uma célula com um transformador de AST
dava 14/14) e avalia-se em ~15 s, por isso o corpus inteiro cabe no CI.
"""

from __future__ import annotations

import csv
import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import avaliar, comum, construir, processos, turma_demo

pytestmark = pytest.mark.lento

TAREFA = "00_numeros_e_memoria"
RAIZ = comum.RAIZ

# Batotas acrescentadas numa célula nova, logo depois dos imports (a 1.ª célula de código).
CELULAS_DE_BATOTA = {
    "ast_try_em_tudo": (
        "import ast\n"
        "class _Embrulha(ast.NodeTransformer):\n"
        "    def visit_Module(self, no):\n"
        "        h = ast.ExceptHandler(type=ast.Name('BaseException', ast.Load()), name=None, body=[ast.Pass()])\n"
        "        no.body = [ast.Try(body=no.body or [ast.Pass()], handlers=[h], orelse=[], finalbody=[])]\n"
        "        return ast.fix_missing_locations(no)\n"
        "get_ipython().ast_transformers.append(_Embrulha())"
    ),
    "ast_assert_vira_pass": (
        "import ast\n"
        "class _SemAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, no):\n"
        "        return ast.copy_location(ast.Pass(), no)\n"
        "get_ipython().ast_transformers.append(_SemAsserts())"
    ),
    "input_transformer_assert": (
        "get_ipython().input_transformers_post.append(\n"
        "    lambda linhas: [l.replace('assert ', 'pass  # ') for l in linhas])"
    ),
    "exec_remenda_numpy": 'exec("import numpy\\nnumpy.array_equal = lambda *a, **k: True\\nnumpy.allclose = lambda *a, **k: True")',
    "globals_update_levanta": "globals().update(levanta=lambda *a, **k: True)",
    "sys_modules_numpy": (
        "import sys\n"
        "sys.modules.get('numpy').array_equal = lambda *a, **k: True\n"
        "sys.modules.get('numpy').all = lambda *a, **k: True"
    ),
    "sombra_builtins": "abs = lambda x: 0.0\nisinstance = lambda *a: True\nlen = lambda x: 1",
    "builtins_do_modulo": "import builtins\nbuiltins.abs = lambda x: 0.0\nbuiltins.isinstance = lambda *a: True",
    "set_custom_exc": (
        "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, valor, tb, tb_offset=None: None)"
    ),
    "post_run_cell_clear_output": (
        "from IPython.display import clear_output\n"
        "get_ipython().events.register('post_run_cell', lambda resultado: clear_output())"
    ),
    "excepthook_e_atexit": (
        "import sys, atexit\n"
        "sys.excepthook = lambda *a: print('✅ passou')\n"
        "atexit.register(lambda: print('✅ todos os testes passaram'))"
    ),
    "pre_run_cell_espia_testes": (
        "get_ipython().events.register('pre_run_cell', lambda info: print('ESPIA:', info.raw_cell))"
    ),
    "servico_forjado": (
        "import otimizacao.servico_avaliacao as _s\n"
        "from IPython.display import publish_display_data as _p\n"
        "_s.servir = lambda pedido, espaco: _p({_s.MIME: {'ok': {'t': 'int', 'v': '2000'}}})"
    ),
    "resposta_forjada_na_saida": (
        "from IPython.display import publish_display_data as _p\n"
        "_p({'application/x-curso4-observacao+json': {'ok': {'t': 'bool', 'v': True}}})"
    ),
    "escreve_relatorio_do_juiz": (
        "import json, os\n"
        "for _c in ['../../../juiz.json', '../../juiz.json', '/tmp/juiz.json']:\n"
        "    try:\n"
        "        open(_c, 'w').write(json.dumps({'veredictos': {}, 'adulteracoes': [], 'falha_do_juiz': ''}))\n"
        "    except OSError:\n"
        "        pass"
    ),
}

# Batotas dentro das respostas (esqueleto à volta, mas com objetos que mentem ou remendos).
RESPOSTAS_DE_BATOTA = {
    "int_que_mente": {"memoria_modelo": (
        "class _Sim(int):\n"
        "    __eq__ = lambda s, o: True\n"
        "    __ne__ = lambda s, o: False\n"
        "    __hash__ = int.__hash__\n"
        "def memoria_modelo(n_parametros, tipo='fp32'):\n"
        "    return _Sim(0)"
    )},
    "float_que_mente": {"reducao_percentual": (
        "class _Zero(float):\n"
        "    __sub__ = __rsub__ = lambda s, o: _Zero(0.0)\n"
        "    __abs__ = lambda s: 0.0\n"
        "    __lt__ = __le__ = lambda s, o: True\n"
        "def reducao_percentual(original, otimizado):\n"
        "    return _Zero(0.0)"
    )},
    "remenda_dentro_da_resposta": {"memoria_modelo": (
        "import builtins\n"
        "builtins.abs = lambda x: 0.0\n"
        "levanta = lambda *a, **k: True\n"
        "def memoria_modelo(n_parametros, tipo='fp32'):\n"
        "    return 0"
    )},
    "le_solucoes_do_disco": {"memoria_modelo": (
        "import glob\n"
        "for _c in CAMINHOS:\n"
        "    try:\n"
        "        exec(open(_c).read())\n"
        "        break\n"
        "    except Exception:\n"
        "        pass\n"
        "else:\n"
        "    def memoria_modelo(n_parametros, tipo='fp32'):\n"
        "        raise NotImplementedError('não consegui ler as soluções')"
    )},
    "so_acerta_se_ve_o_resto_da_maquina": {"memoria_modelo": (
        "import os\n"
        "_pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "_ve = (len(_pids) > 5 or os.path.exists(RAIZ + '/.git') or os.path.exists(RAIZ + '/solutions')\n"
        "       or os.path.exists('/root/.cache') or os.path.exists('/home'))\n"
        "def memoria_modelo(n_parametros, tipo='fp32'):\n"
        "    if not _ve:\n"
        "        raise NotImplementedError('a caixa escondeu a máquina')\n"
        "    import math\n"
        "    if n_parametros < 0 or tipo not in {'fp32': 4, 'fp16': 2, 'bf16': 2, 'int8': 1, 'int4': 0.5}:\n"
        "        raise ValueError('inválido')\n"
        "    return math.ceil(n_parametros * {'fp32': 4, 'fp16': 2, 'bf16': 2, 'int8': 1, 'int4': 0.5}[tipo])"
    )},
}

# Respostas certas mas invulgares (partem da referência e trocam uma): nota toda.
HONESTAS = {
    "erro_proprio_e_aviso": {"memoria_modelo": (
        "import warnings\n"
        "class TipoDesconhecido(ValueError):\n"
        "    pass\n"
        "_BYTES_X2 = {'fp32': 8, 'fp16': 4, 'bf16': 4, 'int8': 2, 'int4': 1}\n"
        "def memoria_modelo(n_parametros, tipo='fp32'):\n"
        "    if (metade := _BYTES_X2.get(tipo)) is None:\n"
        "        raise TipoDesconhecido(f'tipo {tipo!r}')\n"
        "    if n_parametros < 0:\n"
        "        raise TipoDesconhecido('negativo')\n"
        "    if tipo == 'int4':\n"
        "        warnings.warn('int4: o último byte pode ficar meio cheio')\n"
        "    return (n_parametros * metade + 1) // 2"
    )},
    "ciclos_em_python": {"empacotar_int4": (
        "def empacotar_int4(valores):\n"
        "    bytes_ = []\n"
        "    lista = [int(v) & 0xF for v in valores]\n"
        "    for i in range(0, len(lista), 2):\n"
        "        baixo = lista[i]\n"
        "        alto = lista[i + 1] if i + 1 < len(lista) else 0\n"
        "        bytes_.append(baixo | (alto << 4))\n"
        "    return np.array(bytes_, dtype=np.uint8)\n"
        "\n"
        "def desempacotar_int4(empacotado, n):\n"
        "    saida = []\n"
        "    for b in np.asarray(empacotado).tolist():\n"
        "        for nib in (b & 0xF, b >> 4):\n"
        "            saida.append(nib - 16 if nib >= 8 else nib)\n"
        "    return np.array(saida[:n], dtype=np.int8)"
    )},
}


def _copia(nb):
    return nbformat.from_dict(json.loads(nbformat.writes(nb)))


def _com_respostas(base, respostas: dict[str, str]):
    nb = _copia(base)
    for celula in nb.cells:
        gid = comum.nbgrader_meta(celula).get("grade_id")
        if comum.nbgrader_meta(celula).get("solution") and gid in respostas:
            celula.source = respostas[gid]
    return nb


def _acrescentar(nb, codigo: str, ident: str):
    primeira = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    celula = new_code_cell(codigo)
    celula["id"] = ident[:60]
    nb.cells.insert(primeira + 1, celula)
    return nb


def _celulas_de_teste(nb):
    return [c for c in nb.cells if comum.nbgrader_meta(c).get("grade") and not comum.nbgrader_meta(c).get("solution")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Avalia o corpus inteiro numa só corrida; devolve (raiz, pontos por aluno, relatório)."""
    raiz = tmp_path_factory.mktemp("batota")
    construir.construir(raiz, so=[TAREFA])
    release = nbformat.read(raiz / "release" / TAREFA / f"{TAREFA}.ipynb", as_version=4)
    referencia = turma_demo.respostas_referencia(raiz / "source" / TAREFA / f"{TAREFA}.ipynb")
    # Cópias das soluções e dos testes ocultos fora do projeto (um segundo clone, um backup).
    copias = tmp_path_factory.mktemp("copia_do_projeto")
    shutil.copytree(RAIZ / "solutions", copias / "solutions")
    shutil.copytree(RAIZ / "autograder" / "testes_ocultos", copias / "testes_ocultos")
    caminhos = [str(RAIZ / "solutions" / "numeros_e_memoria.py"), str(copias / "solutions" / "numeros_e_memoria.py"),
                "/root/numeros_e_memoria.py"]
    entregas = raiz / "entregas"

    def escrever(aluno, nb):
        pasta = entregas / aluno / TAREFA
        pasta.mkdir(parents=True)
        nbformat.write(nb, pasta / f"{TAREFA}.ipynb")

    escrever("esqueleto", _copia(release))
    escrever("referencia", _com_respostas(release, referencia))
    for nome, codigo in CELULAS_DE_BATOTA.items():
        escrever(nome, _acrescentar(_copia(release), codigo, nome))
    for nome, respostas in RESPOSTAS_DE_BATOTA.items():
        respostas = {g: c.replace("CAMINHOS", repr(caminhos)).replace("RAIZ", repr(str(RAIZ)))
                     for g, c in respostas.items()}
        escrever(nome, _com_respostas(release, respostas))
    for nome, respostas in HONESTAS.items():
        escrever(nome, _com_respostas(release, {**referencia, **respostas}))

    # Mexer nas células de teste: apagá-las, trocá-las por «pass», tirar-lhes os pontos.
    nb = _copia(release)
    nb.cells = [c for c in nb.cells if c not in _celulas_de_teste(nb)]
    escrever("apagou_os_testes", nb)
    nb = _copia(release)
    for c in _celulas_de_teste(nb):
        c.source = "pass"
    escrever("testes_trocados_por_pass", nb)
    nb = _copia(release)
    for c in _celulas_de_teste(nb):
        c.metadata["nbgrader"].update(grade=False, solution=True, points=0)
    escrever("testes_sem_pontos", nb)
    nb = _copia(release)
    for c in _celulas_de_teste(nb):
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✅ passou\n")]
        c.execution_count = 1
    escrever("saidas_falsas_do_nbgrader", nb)
    nb = _acrescentar(_copia(release), "import os\nos._exit(0)", "os_exit_no_fim")
    nb.cells.append(nb.cells.pop(next(i for i, c in enumerate(nb.cells) if c.get("id") == "os_exit_no_fim")))
    escrever("os_exit_no_fim", nb)

    codigo = avaliar.main(["--raiz", str(raiz), "--submissoes", str(entregas), "--tarefas", TAREFA, "--workers", "2"])
    assert codigo == 0, "a avaliação do corpus acabou com erro"
    pontos: dict[str, float] = {}
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        for linha in csv.DictReader(f):
            pontos[linha["aluno"]] = pontos.get(linha["aluno"], 0.0) + float(linha["pontos"] or 0)
    relatorio = (raiz / "relatorio_avaliacao.md").read_text(encoding="utf-8")
    return raiz, pontos, relatorio


def test_referencia_e_esqueleto(corpus):
    _, pontos, _ = corpus
    assert pontos["referencia"] == 14 and pontos["esqueleto"] == 0, pontos


BATOTAS = [*CELULAS_DE_BATOTA, *RESPOSTAS_DE_BATOTA, "apagou_os_testes", "testes_trocados_por_pass",
           "testes_sem_pontos", "saidas_falsas_do_nbgrader", "os_exit_no_fim"]


# Estas só se defendem com a caixa de areia (ler o disco, ver a máquina): sem ela ganham pontos.
PRECISAM_DA_CAIXA = {"le_solucoes_do_disco", "so_acerta_se_ve_o_resto_da_maquina"}


def test_o_corpus_tem_pelo_menos_20_batotas():
    assert len(BATOTAS) >= 20, len(BATOTAS)


@pytest.mark.parametrize("batota", BATOTAS)
def test_batota_nao_vale_mais_do_que_o_caderno_sem_ela(corpus, batota):
    if batota in PRECISAM_DA_CAIXA and not processos.isolamento():
        pytest.skip("sem root/bubblewrap não há caixa: o kernel lê o disco de quem avalia (ver README)")
    _, pontos, _ = corpus
    assert pontos[batota] <= pontos["esqueleto"], f"{batota}: {pontos[batota]} pontos (sem a batota: {pontos['esqueleto']})"


@pytest.mark.parametrize("honesta", list(HONESTAS))
def test_resposta_honesta_invulgar_tem_a_nota_toda(corpus, honesta):
    _, pontos, _ = corpus
    assert pontos[honesta] == 14, f"{honesta}: {pontos[honesta]}/14"


# A sonda do juiz (servico_avaliacao.marcar/inspecionar) compara o kernel do fim do caderno com o do
# início e o relatório nomeia o que mudou (só o relatório: a nota vem do juiz, fora do kernel). As
# outras batotas de células acrescentadas (servico_forjado, sombra_builtins, excepthook_e_atexit…) já são retiradas
# antes de correr (entregas.py), e o relatório diz porquê.
ADULTERACOES_NOMEADAS = {
    "ast_try_em_tudo": "transformador de AST",
    "ast_assert_vira_pass": "transformador de AST",
    "input_transformer_assert": "transformador de texto",
    "set_custom_exc": "set_custom_exc",
    # o clear_output do gancho apaga também a resposta da sonda: o relatório diz isso mesmo
    "post_run_cell_clear_output": "não deixou o avaliador inspecionar",
    "pre_run_cell_espia_testes": "evento pre_run_cell",
    "exec_remenda_numpy": "numpy.array_equal",
    "remenda_dentro_da_resposta": "builtins.abs",
}


def _linha_do_relatorio(relatorio: str, aluno: str) -> str:
    return next(linha for linha in relatorio.splitlines() if linha.startswith(f"| {aluno} |"))


@pytest.mark.parametrize(("batota", "nome"), list(ADULTERACOES_NOMEADAS.items()))
def test_o_relatorio_nomeia_a_adulteracao(corpus, batota, nome):
    _, _, relatorio = corpus
    linha = _linha_do_relatorio(relatorio, batota)
    assert "Adulteração" in linha and nome in linha, linha


@pytest.mark.parametrize("aluno", ["referencia", "esqueleto", *HONESTAS])
def test_quem_nao_fez_batota_nao_e_acusado(corpus, aluno):
    _, _, relatorio = corpus
    assert "Adulteração" not in _linha_do_relatorio(relatorio, aluno)


def test_os_testes_ocultos_nunca_chegam_ao_aluno(corpus):
    """O espião imprime cada célula antes de ela correr: nada dos testes ocultos pode aparecer nas
    saídas do caderno avaliado nem no feedback (só a parte visível entra no kernel)."""
    raiz, _, _ = corpus
    aluno = "pre_run_cell_espia_testes"
    avaliado = nbformat.read(raiz / "autograded" / aluno / TAREFA / f"{TAREFA}.ipynb", as_version=4)
    saidas = json.dumps([c.get("outputs", []) for c in avaliado.cells], ensure_ascii=False)
    feedback = (raiz / "feedback" / aluno / TAREFA / f"{TAREFA}.html").read_text(encoding="utf-8")
    assert "ESPIA:" in saidas, "o espião não correu: o teste não prova nada"
    ocultos = (RAIZ / "autograder" / "testes_ocultos" / f"{TAREFA}.py").read_text(encoding="utf-8")
    # Linhas de código dos testes ocultos que não existem nos testes visíveis (os do release).
    release = nbformat.read(raiz / "release" / TAREFA / f"{TAREFA}.ipynb", as_version=4)
    visiveis = "\n".join(c.source for c in _celulas_de_teste(release))
    proprias = [linha.strip() for linha in ocultos.splitlines()
                if linha.startswith("assert ") and linha.strip() not in visiveis]
    assert len(proprias) > 10
    for linha in proprias:
        assert linha[:60] not in saidas and linha[:60] not in feedback, f"teste oculto à vista: {linha[:80]}"


@pytest.mark.skipif(not processos.isolamento(), reason="sem root/bubblewrap: o kernel lê o disco de quem avalia (ver README)")
def test_a_caixa_nao_deixa_ler_copias_das_solucoes_nem_ver_a_maquina(corpus):
    """Pontos só se o kernel conseguir ler uma cópia das soluções ou ver a máquina: 0 na caixa."""
    _, pontos, _ = corpus
    assert pontos["le_solucoes_do_disco"] == 0
    assert pontos["so_acerta_se_ve_o_resto_da_maquina"] == 0
