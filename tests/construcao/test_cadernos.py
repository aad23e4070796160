"""Os cadernos de course/ como ficheiros: limpos (invariante 5), metadados do nbgrader
coerentes e mensagens em pt-PT (invariante 7)."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest

from autograder import comum, construir
from autograder.comum import nbgrader_meta

CADERNOS = construir.cadernos()
IDS = [c.stem for c in CADERNOS]

# Palavras que denunciam texto em inglês ou em português do Brasil no que o aluno vê.
PROIBIDAS = re.compile(
    r"\b(YOUR CODE HERE|YOUR ANSWER HERE|Your answer|your code|arquivo|tela|salvar|você|usuário|"
    r"registro)\b",
    re.IGNORECASE,
)


def test_ha_cadernos():
    assert CADERNOS, "course/ não tem cadernos NN_nome.ipynb"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_sem_saidas_nem_contagens(caderno):
    """Invariante 5: os cadernos versionados não têm saídas nem contagens de execução."""
    nb = json.loads(caderno.read_text(encoding="utf-8"))
    for i, celula in enumerate(nb["cells"]):
        if celula["cell_type"] == "code":
            assert celula.get("outputs") == [], f"{caderno.name}: a célula {i} tem saídas (corre nbstripout)"
            assert celula.get("execution_count") is None, f"{caderno.name}: a célula {i} tem contagem de execução"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_formato_e_metadados_nbgrader(caderno):
    nb = nbformat.read(caderno, as_version=4)
    nbformat.validate(nb)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), f"{caderno.name}: grade_id repetidos"
    pontos = 0
    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        if not meta:
            continue
        assert meta["cell_type"] == celula.cell_type
        assert celula.metadata.get("deletable") is False, f"{meta['grade_id']}: a célula avaliada não pode ser apagável"
        if meta.get("grade") and not meta.get("solution"):
            assert meta.get("locked") and celula.metadata.get("editable") is False, meta["grade_id"]
            assert meta.get("points", 0) > 0, meta["grade_id"]
            pontos += meta["points"]
    assert pontos > 0, f"{caderno.name}: não há pontos"


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_texto_em_pt_pt(caderno):
    """Invariante 7: nada em inglês nem em pt-BR no que o aluno lê."""
    texto = "\n".join(c.source for c in nbformat.read(caderno, as_version=4).cells)
    encontrados = sorted(set(m.group(0) for m in PROIBIDAS.finditer(texto)))
    assert not encontrados, f"{caderno.name}: {encontrados}"


def _asserts_sem_mensagem(fonte: str) -> list[int]:
    return [no.lineno for no in ast.walk(ast.parse(fonte)) if isinstance(no, ast.Assert) and no.msg is None]


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_todos_os_asserts_explicam_o_erro(caderno):
    """Invariante 7: cada assert visível ou oculto tem uma mensagem para o aluno."""
    nb = construir.caderno_fonte(caderno)
    for celula in nb.cells:
        if nbgrader_meta(celula).get("grade") and celula.cell_type == "code":
            fonte = "\n".join(
                linha for linha in celula.source.split("\n") if "HIDDEN TESTS" not in linha
            )
            assert not _asserts_sem_mensagem(fonte), f"{nbgrader_meta(celula)['grade_id']}: assert sem mensagem"


def test_esqueleto_e_feedback_em_pt_pt():
    cfg = construir.configuracao_nbgrader()
    assert "O TEU CÓDIGO AQUI" in cfg.ClearSolutions.code_stub["python"]
    assert "ESCREVE AQUI" in cfg.ClearSolutions.text_stub
    modelo = (comum.AUTOGRADER / "modelo_feedback" / "feedback_pt" / "index.html.j2").read_text(encoding="utf-8")
    assert 'lang="pt-PT"' in modelo and "pontos" in modelo and "Score" not in modelo


# --------------------------------------------------------------------------- Run All e resumo (issue 24)
ETIQUETA_CONTINUA = "raises-exception"  # o JupyterLab e o nbclient continuam o Run All depois do erro


def _celula_de_teste(celula) -> bool:
    meta = nbgrader_meta(celula)
    return celula.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_run_all_continua_depois_das_celulas_de_teste(caderno):
    """Cada célula de teste avaliada tem a etiqueta ``raises-exception`` (um exercício por fazer não
    para o Run All: as demonstrações e o checklist do 10 correm); nenhuma outra célula a tem (um
    erro numa demonstração continua a parar o Run All, onde o aluno o vê)."""
    nb = nbformat.read(caderno, as_version=4)
    for i, celula in enumerate(nb.cells):
        tem = ETIQUETA_CONTINUA in celula.metadata.get("tags", [])
        assert tem == _celula_de_teste(celula), (
            f"{caderno.name}, célula {i}: " + ("falta a etiqueta raises-exception à célula de teste" if not tem
                                                else "a etiqueta raises-exception é só para as células de teste"))


@pytest.mark.parametrize("caderno", CADERNOS, ids=IDS)
def test_ultima_celula_e_o_resumo_e_nao_e_avaliada(caderno):
    """A última célula mostra o resumo da validação deste caderno e não vale pontos: sem metadados
    do nbgrader em course/ nem no source gerado pelo build (onde as respostas e os ocultos entram)."""
    nb = nbformat.read(caderno, as_version=4)
    ultima = nb.cells[-1]
    assert ultima.cell_type == "code" and f'verificacao.resumo("{caderno.stem}")' in ultima.source, (
        f"{caderno.name}: a última célula tem de ser verificacao.resumo(\"{caderno.stem}\")")
    assert not nbgrader_meta(ultima) and not ultima.metadata.get("tags")
    fonte = construir.caderno_fonte(caderno)
    assert fonte.cells[-1].source == ultima.source and not nbgrader_meta(fonte.cells[-1])
    intro = nb.cells[0].source
    assert "Run All" in intro and "Validate" in intro and "verificacao.resumo" in intro, (
        f"{caderno.name}: a introdução diz o que fazem o Run All, o Validate e o resumo")


def _correr_celulas(nb, ns, respostas=None):
    """Corre as células de código do caderno neste processo, como o kernel, e conta cada uma ao
    gancho do resumo (otimizacao.validacao), como o post_run_cell do IPython faria."""
    from otimizacao import validacao

    for celula in nb.cells:
        if celula.cell_type != "code":
            continue
        gid = nbgrader_meta(celula).get("grade_id")
        fonte = (respostas or {}).get(gid, celula.source)
        erro = None
        try:
            exec(compile(fonte, "<célula>", "exec"), ns)  # noqa: S102 (código do curso)
        except Exception as e:  # noqa: BLE001 (a célula falhou: é o que o gancho regista)
            erro = e
        validacao.registar_execucao(fonte, celula.get("id"), erro)


def test_resumo_diz_o_estado_de_cada_exercicio():
    """O resumo do 00 (puro Python, corre aqui em segundos): com os esqueletos, tudo «por fazer»;
    com uma resposta errada, «falhou» com a pista do assert; com a resposta certa, «passou»; com a
    resposta corrida de novo depois dos testes, «corre outra vez»; sem correr, «por correr»."""
    import copy

    from otimizacao import validacao

    nome = "00_numeros_e_memoria"
    caminho = comum.COURSE / f"{nome}.ipynb"
    nb = nbformat.read(caminho, as_version=4)
    bruto = json.loads(caminho.read_text(encoding="utf-8"))
    validacao.esquecer()
    try:
        estados = {e["nome"]: e for e in validacao.estado_dos_exercicios(nome, bruto)}
        assert {e["estado"] for e in estados.values()} == {"por_correr"}, estados

        _correr_celulas(nb, {"__name__": "__main__"})
        estados = {e["nome"]: e for e in validacao.estado_dos_exercicios(nome, bruto)}
        assert [e["estado"] for e in estados.values()] == ["esqueleto"] * 4, estados
        texto = "\n".join(validacao.linhas_do_resumo(nome, bruto))
        assert "0 de 4 exercício(s) passam" in texto and "ainda por fazer" in texto, texto

        # memoria_modelo errada (int4 num byte inteiro), o resto com a referência do build.
        fonte = construir.caderno_fonte(caminho)
        respostas = {nbgrader_meta(c)["grade_id"]: c.source for c in fonte.cells if nbgrader_meta(c).get("solution")}
        errada = copy.copy(respostas)
        errada["memoria_modelo"] = ('def memoria_modelo(n_parametros, tipo):\n'
                                    '    if n_parametros < 0 or tipo not in ("fp32", "fp16", "bf16", "int8", "int4"):\n'
                                    '        raise ValueError(tipo)\n'
                                    '    return n_parametros * {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 1}[tipo]')
        _correr_celulas(nb, {"__name__": "__main__"}, errada)
        estados = {e["nome"]: e for e in validacao.estado_dos_exercicios(nome, bruto)}
        assert estados["memoria_modelo"]["estado"] == "falhou", estados["memoria_modelo"]
        assert estados["memoria_modelo"]["teste"] == "teste_memoria_modelo"
        assert [e["estado"] for e in list(estados.values())[1:]] == ["passou"] * 3, estados
        # A pista é a mensagem do assert que falhou, tal como está no caderno.
        teste = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "teste_memoria_modelo")
        assert estados["memoria_modelo"]["mensagem"] in teste.source and '"int4"' in estados["memoria_modelo"]["onde"]
        assert estados["memoria_modelo"]["mensagem"] not in estados["memoria_modelo"]["onde"]  # a linha, sem a pista
        texto = "\n".join(validacao.linhas_do_resumo(nome, bruto))
        assert f"pista: {estados['memoria_modelo']['mensagem']}" in texto and "3 de 4 exercício(s) passam" in texto

        _correr_celulas(nb, {"__name__": "__main__"}, respostas)
        assert {e["estado"] for e in validacao.estado_dos_exercicios(nome, bruto)} == {"passou"}
        # Correr outra vez a resposta depois dos testes: o resumo pede para voltar a correr os testes.
        resposta = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "memoria_modelo")
        validacao.registar_execucao(respostas["memoria_modelo"], resposta.get("id"), None)
        assert validacao.estado_dos_exercicios(nome, bruto)[0]["estado"] == "desatualizado"
    finally:
        validacao.esquecer()


def test_resumo_na_avaliacao_nao_instala_o_gancho(monkeypatch):
    """Na avaliação do professor o gancho não se regista (a sonda do juiz vê-lo-ia como uma
    adulteração) e o resumo diz só que não se calcula lá."""
    from otimizacao import validacao

    monkeypatch.setenv(validacao.ENV_AVALIACAO, "/algures/autograder")
    monkeypatch.setattr(validacao, "_INSTALADO", [False])
    assert validacao.instalar() is False
    texto = "\n".join(validacao.linhas_do_resumo("00_numeros_e_memoria"))
    assert "só funciona no teu JupyterLab" in texto


def test_make_curso_so_com_as_ferramentas_do_aluno():
    """O make curso junta jupyter_config/aluno/ (sem o formgrader, o create assignment e a lista de
    cursos) à frente da configuração do projeto; o make professor não. As extensões desligadas são
    as mesmas que o make turma desliga aos alunos do JupyterHub (turma/hub.py) e existem mesmo no
    nbgrader instalado (um nome mudado numa versão nova desligaria nada, em silêncio). No
    navegador: tests/interface/test_navegador.py::test_aluno_nao_ve_as_ferramentas_do_professor."""
    import importlib.util
    import subprocess
    import sys
    from pathlib import Path

    from turma import hub

    raiz = comum.RAIZ
    aluno = raiz / "jupyter_config" / "aluno"
    pagina = json.loads((aluno / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    servidor = json.loads((aluno / "jupyter_server_config.json").read_text(encoding="utf-8"))
    lab = {nome for nome, desligada in pagina["disabledExtensions"].items() if desligada}
    srv = {nome for nome, ligada in servidor["ServerApp"]["jpserver_extensions"].items() if ligada is False}
    # A turma (turma/hub.py) lê as mesmas listas; as do professor têm de lá estar (nbgrader: o
    # formgrader, a criação de tarefas e a lista de cursos são ferramentas do professor).
    assert lab == set(hub.SO_PROFESSOR_LAB) and srv == set(hub.SO_PROFESSOR_SERVIDOR)
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= lab
    assert "nbgrader.server_extensions.formgrader" in srv
    js = "".join(p.read_text(errors="replace") for p in
                 (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static").glob("*.js"))
    assert all(f'"{nome}"' in js for nome in lab), f"o nbgrader instalado não tem um destes plugins: {sorted(lab)}"
    assert all(importlib.util.find_spec(nome) for nome in srv)
    comandos = {alvo: subprocess.run(["make", "-n", "-s", alvo, "PORTA=1"], cwd=raiz, capture_output=True,
                                     text=True, timeout=60).stdout for alvo in ("curso", "professor")}
    assert f"JUPYTER_CONFIG_PATH=\"{aluno}:{raiz / 'jupyter_config'}" in comandos["curso"], comandos["curso"]
    assert "jupyter_config/aluno" not in comandos["professor"], comandos["professor"]


@pytest.mark.lento
@pytest.mark.parametrize("nome", ["05_poda_e_quantizacao", "09_pipeline_completo"])
def test_run_all_com_esqueletos_chega_ao_fim(nome, tmp_path, monkeypatch):
    """Run All (nbclient, que respeita o raises-exception como o JupyterLab) no caderno por fazer,
    tal como o aluno o recebe: só as células de teste dão erro (NotImplementedError); as
    demonstrações que usam as funções trazidas dos cadernos 01 e 04, por fazer, dizem-no sem erro;
    a última célula, o resumo, diz que está tudo por fazer. (O 07 e o 10: no navegador.)"""
    from nbclient import NotebookClient

    from otimizacao import manifesto, progresso

    monkeypatch.setenv(progresso.ENV_PROGRESSO, "")
    nb = nbformat.read(comum.COURSE / f"{nome}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(comum.COURSE)}}).execute()
    for i, celula in enumerate(nb.cells):
        erros = [o["ename"] for o in celula.get("outputs", []) if o.get("output_type") == "error"]
        if _celula_de_teste(celula):
            assert erros in ([], ["NotImplementedError"]), (i, erros)
        else:
            assert not erros, f"{nome}, célula {i}: {erros} (o Run All parava aqui)"
    texto = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "que ainda não implementaste" in texto
    resumo = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    nomes = [e.nomes[0] for e in manifesto.POR_NOME[nome].exercicios]
    assert all(f"🚧 {n}" in resumo for n in nomes) and f"0 de {len(nomes)} exercício(s) passam" in resumo, resumo
