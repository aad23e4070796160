"""O curso num navegador a sério (issue 13): o JupyterLab do ``make curso`` e do
``make professor`` conduzido num Chromium, como o aluno e o professor o usam.

- Aluno (``make curso``): abre o 00, corre-o até ao primeiro exercício, vê o teste visível
  falhar com a pista em pt-PT, escreve uma resposta errada e depois uma certa, vê o teste
  passar, carrega no botão **Validate** do nbgrader e vê o resultado; depois corre as
  primeiras células do 02 (imports, dados, treino do modelo de base) sem erros.
- Aluno, Run All e resumo (issue 24): o Run All do 07 e do 10 com os exercícios por fazer chega à
  última célula (as células de teste têm a etiqueta ``raises-exception``); a última célula, o
  resumo da validação, diz o estado de cada exercício (por fazer, falhou com a pista, passou); o
  ``make curso`` não tem o Formgrader nem o Create Assignment.
- Professor (``make professor``): o formgrader abre e lista as tarefas; depois de
  ``autograder.avaliar`` numa turma de um aluno (o 02, que tem uma resposta livre), dá a
  nota dessa resposta à mão no formgrader, exporta (``nbgrader export``), vê a nota no
  ``grades.csv`` e vê-a ficar depois de uma segunda avaliação (``--refazer``).

Os servidores correm numa cópia do projeto (tests/servidores.py), numa porta livre do
loopback, e morrem no fim. O navegador é o ``chromium`` do sistema (Debian:
``apt-get install chromium``), por ``executable_path``: o Playwright nunca descarrega um
navegador. Sem ele, estes testes são saltados (com a instrução para o instalar) e todos os
outros correm. Cada passo deixa uma captura de ecrã em tests/capturas/<teste>/ (ignorada pelo
git), para se ver o que falhou.

Só estes: ``.venv/bin/python -m pytest -m navegador``.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests import servidores

RAIZ = servidores.RAIZ
CHROMIUM = Path(os.environ.get("CURSO4_CHROMIUM", "/usr/bin/chromium"))
CAPTURAS = RAIZ / "tests" / "capturas"
TOKEN = "token-de-teste-do-navegador"
# Sem os pedidos de fundo do Chromium (atualizações, sincronização…): a rede pode estar fechada.
ARGUMENTOS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage"]

pytestmark = [
    pytest.mark.navegador,
    pytest.mark.lento,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Falta o Chromium ({CHROMIUM}) para os testes no navegador. Instala-o com "
               "«sudo apt-get install chromium» (como root: «apt-get install -y chromium»).",
    ),
]

SEQ = "02_quantizacao_pytorch"  # tem uma resposta livre (avaliada à mão) e corre depressa
LIVRE = "resposta_conv2d"
RESPOSTA_LIVRE = ("A quantização dinâmica quantiza as ativações em tempo de execução, entrada a "
                  "entrada; numa convolução isso não compensa. Usaria quantização estática.")

# O aluno no caderno 00: um erro típico (int4 a ocupar um byte) e depois a resposta certa.
ERRADA = '''def memoria_modelo(n_parametros: int, tipo: str) -> int:
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 1}
    if tipo not in bytes_por or n_parametros < 0:
        raise ValueError(tipo)
    return n_parametros * bytes_por[tipo]'''
CERTA = '''def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("n_parametros negativo")
    if tipo == "int4":
        return (n_parametros + 1) // 2
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
    if tipo not in bytes_por:
        raise ValueError(f"tipo desconhecido: {tipo}")
    return n_parametros * bytes_por[tipo]'''


# --------------------------------------------------------------------------- o navegador
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """O Chromium do sistema (pytest-playwright usa-o no fixture ``browser``)."""
    pytest.importorskip("playwright.sync_api", reason="falta o playwright: make (requirements.txt)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": ARGUMENTOS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "locale": "pt-PT"}


class Capturas:
    """Uma captura de ecrã por passo em tests/capturas/<teste>/NN_passo.png."""

    def __init__(self, pasta: Path):
        shutil.rmtree(pasta, ignore_errors=True)
        pasta.mkdir(parents=True)
        self.pasta, self.n, self.inicio = pasta, 0, time.monotonic()

    def __call__(self, pagina, passo: str) -> None:
        self.n += 1
        pagina.screenshot(path=str(self.pasta / f"{self.n:02d}_{passo}.png"))
        print(f"  [{time.monotonic() - self.inicio:5.1f} s] {self.n:02d} {passo}")

    @contextlib.contextmanager
    def ao_falhar(self, pagina):
        """Se o teste falhar aqui dentro, uma última captura: o ecrã no momento da falha."""
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self(pagina, "FALHOU")
            raise


@pytest.fixture
def capturas(request, capsys):
    pasta = CAPTURAS / request.node.name
    with capsys.disabled():
        print(f"\n» capturas de ecrã deste teste em {pasta.relative_to(RAIZ)}/")
    return Capturas(pasta)


# --------------------------------------------------------------------------- JupyterLab
# O caderno à vista: o JupyterLab esconde os outros separadores sem os tirar da página.
PAINEL = "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden):visible"


def celula(pagina, i: int):
    return pagina.locator(f"{PAINEL} .jp-Notebook .jp-Cell").nth(i)


def indice(caderno: str, grade_id: str | None = None, contem: str | None = None) -> int:
    """A posição de uma célula no caderno de course/ (pelo grade_id do nbgrader ou pelo texto):
    os cadernos mudam, os testes não dependem de contar células."""
    nb = nbformat.read(RAIZ / "course" / f"{caderno}.ipynb", as_version=4)
    for i, c in enumerate(nb.cells):
        if (grade_id and c.metadata.get("nbgrader", {}).get("grade_id") == grade_id) or (
                contem and c.cell_type == "code" and contem in c.source):
            return i
    raise LookupError(f"{caderno}: não há a célula {grade_id or contem!r}")


def mensagem_do_assert(caderno: str, grade_id: str, contem: str) -> str:
    """A mensagem (pt-PT) do primeiro ``assert`` da célula cujo teste tem ``contem``."""
    import ast

    nb = nbformat.read(RAIZ / "course" / f"{caderno}.ipynb", as_version=4)
    fonte = nb.cells[indice(caderno, grade_id)].source
    for no in ast.walk(ast.parse(fonte)):
        if isinstance(no, ast.Assert) and contem in ast.get_source_segment(fonte, no.test):
            return no.msg.value
    raise LookupError(f"{grade_id}: não há um assert com {contem!r}")


def abrir_caderno(pagina, base: str, nome: str) -> None:
    """Abre ``nome`` no JupyterLab e espera pelo kernel pronto."""
    from playwright.sync_api import expect

    # `reset`: um espaço de trabalho novo, só com este caderno. Sem ele, o JupyterLab reabre os
    # cadernos dos testes anteriores e pode pôr um deles à frente depois de este abrir (no CI, o
    # 00 tapou o 02 a meio do teste).
    pagina.goto(f"{base}/lab/tree/{nome}.ipynb?reset&token={TOKEN}")
    # Pronto: o kernel parado à espera («| Idle» na barra de estado). Um caderno que não abre
    # mostra antes um diálogo de erro («File Load Error…»): o teste falha com o texto dele.
    pronto = pagina.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle"))
    erro = pagina.locator(".jp-Dialog")
    expect(pronto.or_(erro).first).to_be_visible(timeout=120_000)
    if erro.count():
        pytest.fail(f"O JupyterLab não abriu {nome}.ipynb: {' '.join(erro.first.inner_text().split())}")
    expect(pagina.locator(f"{PAINEL} .jp-Notebook .jp-Cell").first).to_be_visible(timeout=30_000)


def correr_ate(pagina, ultima: int) -> None:
    """Shift+Enter da primeira célula até à ``ultima`` (inclusive), como o aluno faz."""
    celula(pagina, 0).locator(".jp-InputPrompt").click()
    for _ in range(ultima + 1):
        pagina.keyboard.press("Shift+Enter")


def correr_celula(pagina, i: int) -> int:
    """Seleciona a célula ``i`` (pela margem) e corre-a (Ctrl+Enter: na última célula, o
    Shift+Enter acrescentava uma célula nova ao caderno); devolve ``i``."""
    celula(pagina, i).scroll_into_view_if_needed()
    celula(pagina, i).locator(".jp-InputPrompt").click()
    pagina.keyboard.press("Control+Enter")
    return i


def correr_tudo(pagina) -> None:
    """Menu Run › Run All Cells, como o aluno faz."""
    pagina.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    pagina.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def escrever(pagina, i: int, codigo: str) -> None:
    """Substitui o código da célula ``i`` (o editor do JupyterLab, CodeMirror)."""
    editor = celula(pagina, i).locator(".cm-content")
    editor.click()
    editor.fill(codigo)


def saida(pagina, i: int):
    return celula(pagina, i).locator(".jp-OutputArea")


def texto_saida(pagina, i: int) -> str:
    """O texto das saídas da célula ``i`` (vazio numa célula de texto; não espera)."""
    return "\n".join(celula(pagina, i).locator(".jp-OutputArea-output").all_inner_texts())


# --------------------------------------------------------------------------- aluno
@pytest.fixture(scope="module")
def curso(tmp_path_factory):
    """``make curso`` numa cópia do projeto (o course/ do aluno é uma cópia)."""
    if not CHROMIUM.exists():
        pytest.skip("sem Chromium")
    projeto = servidores.copiar_projeto(tmp_path_factory.mktemp("projeto_aluno"))
    with servidores.servidor("curso", projeto, tmp_path_factory.mktemp("casa_aluno"), TOKEN) as base:
        yield base, projeto


def test_aluno_resolve_o_primeiro_exercicio_e_valida(curso, page, capturas):
    from playwright.sync_api import expect

    with capturas.ao_falhar(page):
        base, projeto = curso
        caderno = "00_numeros_e_memoria"
        abrir_caderno(page, base, caderno)
        capturas(page, "caderno_00_aberto")
        resposta, teste = indice(caderno, "memoria_modelo"), indice(caderno, "teste_memoria_modelo")

        # Até ao primeiro exercício: as células dadas, o esqueleto e o seu teste visível.
        correr_ate(page, teste)
        expect(saida(page, teste)).to_contain_text(
            "Exercício por fazer: substitui estas duas linhas pelo teu código.", timeout=120_000)
        celula(page, teste).scroll_into_view_if_needed()
        capturas(page, "teste_falha_com_o_esqueleto")
        for i in range(resposta):
            assert "Traceback" not in texto_saida(page, i), f"a célula {i} do 00 deu erro"

        # Um erro típico (int4 num byte inteiro): o teste visível diz o que está mal, em pt-PT.
        pista = mensagem_do_assert(caderno, "teste_memoria_modelo", '"int4"')
        escrever(page, resposta, ERRADA)
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        expect(saida(page, teste)).to_contain_text(f"AssertionError: {pista}", timeout=60_000)
        capturas(page, "teste_falha_com_a_pista")
        # O resumo da validação (a última célula): o exercício falhou, com a pista do assert.
        resumo = correr_celula(page, len(nbformat.read(RAIZ / "course" / f"{caderno}.ipynb", as_version=4).cells) - 1)
        expect(saida(page, resumo)).to_contain_text("❌ memoria_modelo (3 pontos): falhou em teste_memoria_modelo",
                                                    timeout=30_000)
        expect(saida(page, resumo)).to_contain_text(f"pista: {pista}")
        expect(saida(page, resumo)).to_contain_text("reducao_percentual (2 pontos): os testes ainda não correram")
        capturas(page, "resumo_com_a_falha")

        # A resposta certa: o teste passa.
        escrever(page, resposta, CERTA)
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        expect(saida(page, teste)).to_contain_text("✅ memoria_modelo", timeout=60_000)
        assert "Error" not in texto_saida(page, teste)
        capturas(page, "teste_passa")
        correr_celula(page, resumo)
        expect(saida(page, resumo)).to_contain_text("✅ memoria_modelo (3 pontos): passou nos testes visíveis",
                                                    timeout=30_000)
        expect(saida(page, resumo)).to_contain_text("1 de 4 exercício(s) passam nos testes visíveis")
        capturas(page, "resumo_passou")

        # O botão Validate do nbgrader: grava o caderno e corre-o todo num kernel novo. Falham os
        # exercícios por fazer; o memoria_modelo não aparece entre eles.
        page.locator(f"{PAINEL} .jp-Toolbar-item", has_text="Validate").click()
        dialogo = page.locator(".jp-Dialog", has_text="Validation Results")
        expect(dialogo).to_be_visible(timeout=150_000)
        texto = dialogo.inner_text()
        capturas(page, "validate_resultado")
        assert "The following cell failed:" in texto, texto[:2000]
        assert "reducao_percentual(" in texto and "Exercício por fazer" in texto, texto[:2000]
        assert 'memoria_modelo(1_000, "fp32")' not in texto, f"o Validate diz que o memoria_modelo falha:\n{texto[:2000]}"
        dialogo.get_by_role("button", name="Ok").click()
        # O Validate gravou a resposta no caderno do aluno (a cópia do course/).
        gravado = nbformat.read(projeto / "course" / f"{caderno}.ipynb", as_version=4)
        assert "(n_parametros + 1) // 2" in gravado.cells[resposta].source


def test_aluno_corre_o_inicio_do_caderno_02(curso, page, capturas):
    from playwright.sync_api import expect

    with capturas.ao_falhar(page):
        base, _ = curso
        abrir_caderno(page, base, SEQ)
        capturas(page, "caderno_02_aberto")
        # imports, motor quantizado, dados e treino da rede de base
        treino = indice(SEQ, contem="exatidão no teste (float32)")
        correr_ate(page, treino)
        expect(saida(page, treino)).to_contain_text("exatidão no teste (float32):", timeout=120_000)
        celula(page, treino).scroll_into_view_if_needed()
        capturas(page, "treino_de_base")
        for i in range(treino + 1):
            texto = texto_saida(page, i)
            assert "Traceback" not in texto and "Error" not in texto, f"célula {i}:\n{texto[:2000]}"
        exatidao = float(re.search(r"exatidão no teste \(float32\): ([\d.]+)", texto_saida(page, treino))[1])
        assert exatidao > 0.9, f"a rede de base só teve {exatidao:.3f} de exatidão"


@pytest.mark.parametrize(("caderno", "celula_depois", "saida_depois"), [
    ("07_taxa_de_aprendizagem", "shutil.rmtree(PASTA", "pasta temporária apagada: True"),  # a limpeza, no fim
    ("10_checklist", "item do checklist (medidas", "item do checklist"),  # a tabela do checklist (secção 3)
])
def test_aluno_run_all_com_exercicios_por_fazer_chega_ao_fim(curso, page, capturas, caderno, celula_depois,
                                                               saida_depois):
    """Run All num caderno por fazer: as células de teste mostram o NotImplementedError, mas o Run All
    continua (etiqueta raises-exception) até à última célula, o resumo, que diz que está tudo por fazer."""
    from playwright.sync_api import expect

    from otimizacao import manifesto

    with capturas.ao_falhar(page):
        base, _ = curso
        nb = nbformat.read(RAIZ / "course" / f"{caderno}.ipynb", as_version=4)
        ultima = len(nb.cells) - 1
        testes = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")
                  and not c.metadata["nbgrader"].get("solution")]
        abrir_caderno(page, base, caderno)
        correr_tudo(page)
        expect(saida(page, ultima)).to_contain_text(f"Resumo dos testes visíveis de {caderno}", timeout=240_000)
        celula(page, ultima).scroll_into_view_if_needed()
        capturas(page, "run_all_chegou_ao_resumo")
        texto = texto_saida(page, ultima)
        nomes = [e.nomes[0] for e in manifesto.POR_NOME[caderno].exercicios]
        for nome in nomes:
            assert f"🚧 {nome}" in texto and "ainda por fazer" in texto, texto
        assert f"0 de {len(nomes)} exercício(s) passam" in texto, texto
        # (o JupyterLab só desenha as células à vista: cada uma vem para o ecrã antes de se ler)
        celula(page, testes[0]).scroll_into_view_if_needed()
        expect(saida(page, testes[0])).to_contain_text("NotImplementedError")
        depois = indice(caderno, contem=celula_depois)
        assert depois > testes[0]
        celula(page, depois).scroll_into_view_if_needed()
        expect(saida(page, depois)).to_contain_text(saida_depois)


def test_aluno_nao_ve_as_ferramentas_do_professor(curso, page, capturas):
    """O make curso só tem as ferramentas do aluno: no menu Nbgrader há a Assignment List, mas não o
    Formgrader; não há a barra lateral Create Assignment; o servidor não serve o /formgrader."""
    import urllib.error

    from playwright.sync_api import expect

    with capturas.ao_falhar(page):
        base, _ = curso
        abrir_caderno(page, base, "10_checklist")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        menu = page.locator(".lm-Menu-content").last
        expect(menu).to_contain_text("Assignment List", timeout=30_000)
        capturas(page, "menu_nbgrader_do_aluno")
        itens = menu.locator(".lm-Menu-itemLabel").all_inner_texts()
        assert not [i for i in itens if "Formgrader" in i or "Course" in i or "Create" in i], itens
        page.keyboard.press("Escape")
        # (o painel do nbgrader chama-se mesmo «create_assignemnt»; no make professor está na barra da direita)
        assert page.locator("#nbgrader-create_assignemnt, .lm-TabBar-tab[title*='Create Assignment']").count() == 0
        with pytest.raises(urllib.error.HTTPError) as erro:
            servidores.ler_texto(f"{base}/formgrader?token={TOKEN}")
        assert erro.value.code == 404


# --------------------------------------------------------------------------- professor
def _avaliar(raiz: Path, turma: Path, *extra: str) -> subprocess.Popen:
    """``autograder.avaliar`` (o que o ``make avaliar`` corre) na raiz da cópia, em fundo."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(raiz), "--tarefas", SEQ,
           "--submissoes", str(turma), "--workers", "1", *extra]
    return subprocess.Popen(cmd, cwd=RAIZ, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _acabar(proc: subprocess.Popen) -> str:
    saida_, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, saida_[-3000:]
    return saida_


def _grades(raiz: Path) -> dict[str, float]:
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        return {linha["student_id"]: float(linha["score"]) for linha in csv.DictReader(f)
                if linha["assignment"] == SEQ}


def _com_venv_no_path(projeto: Path) -> dict[str, str]:
    return dict(os.environ, PATH=f"{projeto / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")


def _turma(pasta: Path) -> Path:
    """Um aluno, «ana», com o 02 por fazer e a resposta livre escrita."""
    nb = nbformat.read(RAIZ / "course" / f"{SEQ}.ipynb", as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == LIVRE:
            c.source = RESPOSTA_LIVRE
    (pasta / "ana" / SEQ).mkdir(parents=True)
    nbformat.write(nb, pasta / "ana" / SEQ / f"{SEQ}.ipynb")
    return pasta


def test_professor_da_nota_a_mao_no_formgrader_e_ela_fica(tmp_path, page, capturas):

    (tmp_path / "projeto").mkdir()
    projeto = servidores.copiar_projeto(tmp_path / "projeto")
    servidores.com_tarefas(projeto)
    raiz = projeto / "professor"
    turma = _turma(tmp_path / "turma")
    (tmp_path / "casa").mkdir()
    # O gradebook vazio já criado: o formgrader e a avaliação, que arrancam ao mesmo tempo,
    # nunca o criam os dois de uma vez (só poupa tempo: a avaliação demora o mesmo).
    # (o nbgrader chama o «alembic» pelo nome: o .venv/bin vai no PATH, como no make professor)
    codigo = f"from nbgrader.api import Gradebook; Gradebook('sqlite:///{raiz / 'gradebook.db'}').close()"
    subprocess.run([str(projeto / ".venv" / "bin" / "python"), "-c", codigo], check=True,
                   env=_com_venv_no_path(projeto), timeout=120)
    avaliacao = _avaliar(raiz, turma)
    try:
        with servidores.servidor("professor", projeto, tmp_path / "casa", TOKEN) as base, \
                capturas.ao_falhar(page):
            _formgrader(page, base, capturas, projeto, turma, avaliacao)
    finally:
        if avaliacao.poll() is None:
            avaliacao.kill()
            avaliacao.wait()


def _formgrader(page, base: str, capturas, projeto: Path, turma: Path, avaliacao: subprocess.Popen) -> None:
    from playwright.sync_api import expect

    raiz = projeto / "professor"
    # O formgrader, pelo menu do JupyterLab (Nbgrader › Formgrader): lista as tarefas.
    page.goto(f"{base}/lab?token={TOKEN}")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Formgrader$")).click()
    quadro = page.frame_locator("#formgrader-iframe iframe")
    # Uma configuração estragada dá logo a página de erro do formgrader: falha já, com o fim do
    # traceback do servidor, em vez de esperar 120 s pela tabela.
    tabela = quadro.locator("#main-table")
    erro = quadro.get_by_text("formgrader encountered an error")
    expect(tabela.or_(erro).first).to_be_visible(timeout=120_000)
    if erro.count():
        capturas(page, "formgrader_erro")
        pytest.fail("O formgrader deu erro em vez de listar as tarefas; o servidor diz:\n"
                    + _ultimo_erro(projeto.parent / "casa" / "professor.log"))
    for tarefa in servidores.TAREFAS:
        expect(quadro.locator("#main-table")).to_contain_text(tarefa, timeout=120_000)
    capturas(page, "formgrader_lista_as_tarefas")
    assert "warning-exchange" not in quadro.locator("body").inner_html()

    # A avaliação da turma (a correr desde o início, com o formgrader aberto).
    print(_acabar(avaliacao)[-400:])
    auto = _grades(raiz)["ana"]

    # Manual Grading › 02 › 02 › a entrega da ana: a resposta livre, nota e comentário à mão.
    page.goto(f"{base}/formgrader/gradebook/{SEQ}/{SEQ}?token={TOKEN}")
    expect(page.locator("#main-table")).to_contain_text("ana", timeout=60_000)
    capturas(page, "formgrader_entregas")
    # O pedido das notas do formgrader atrasado 3 s dentro do Chromium, como numa máquina ocupada
    # (o CI viu-o): sem a espera abaixo a nota escrita perde-se sempre, não só às vezes.
    page.add_init_script(ATRASAR_NOTAS_DO_FORMGRADER)
    page.get_by_role("link", name="Submission #1").click()
    page.wait_for_load_state()
    if "formgrader encountered an error" in page.locator("body").inner_text():
        capturas(page, "formgrader_erro")
        pytest.fail("A página de correção do formgrader deu erro 500; o servidor diz:\n"
                    + _ultimo_erro(projeto.parent / "casa" / "professor.log"))
    nota = page.locator(f"input#{LIVRE}")
    expect(nota).to_be_visible(timeout=60_000)
    assert "quantiza as ativações em tempo de execução" in page.locator("body").inner_text()
    # O formgrader só liga os campos ao gradebook quando os pedidos das notas e dos comentários
    # voltam (formgrade.js: grades.fetch → GradeUI, que ao nascer repõe o campo com o valor do
    # gradebook). Escrever antes disso perde a nota sem aviso — foi o que o CI viu com a máquina
    # ocupada (comentário gravado, nota None; sem esta espera, com o atraso acima, falha sempre).
    # Um professor vê a página já pronta; o teste espera pelo mesmo.
    page.wait_for_function("() => window.formgrader && formgrader.grades && formgrader.grades.loaded"
                           " && formgrader.comments && formgrader.comments.loaded", timeout=60_000)
    nota.fill("1.5")
    page.locator(f"textarea#{LIVRE}-comment").fill("Certo, mas falta dizer porquê.")
    page.keyboard.press("Tab")
    _esperar_nota(raiz, 1.5, "Certo, mas falta dizer porquê.")
    page.reload()
    expect(page.locator(f"input#{LIVRE}")).to_have_value("1.5", timeout=60_000)
    page.locator(f"input#{LIVRE}").scroll_into_view_if_needed()
    capturas(page, "nota_a_mao_gravada")

    # Exportar (nbgrader export, na raiz do curso): a nota à mão entra no grades.csv.
    (raiz / "grades.csv").unlink()
    exp = subprocess.run([str(projeto / ".venv" / "bin" / "python"), "-m", "nbgrader", "export"],
                         cwd=raiz, env=_com_venv_no_path(projeto), capture_output=True, text=True, timeout=300)
    assert exp.returncode == 0, exp.stdout[-2000:] + exp.stderr[-2000:]
    assert _grades(raiz)["ana"] == pytest.approx(auto + 1.5)

    # A mesma avaliação outra vez (o make avaliar SUBMISSOES=… do README), com uma entrega tardia
    # (o «Zé Maria» de tests/navegador_professor.py): a nota à mão fica no gradebook, no
    # grades.csv e no formgrader.
    from tests import navegador_professor as professor

    professor.mais_um_aluno(turma)
    saida_ = _acabar(_avaliar(raiz, turma))
    print(saida_[-400:])
    assert _grades(raiz)["ana"] == pytest.approx(auto + 1.5)
    _esperar_nota(raiz, 1.5, "Certo, mas falta dizer porquê.", espera=0)
    page.reload()
    expect(page.locator(f"input#{LIVRE}")).to_have_value("1.5", timeout=60_000)
    expect(page.locator(f"textarea#{LIVRE}-comment")).to_have_value("Certo, mas falta dizer porquê.")
    page.locator(f"input#{LIVRE}").scroll_into_view_if_needed()
    capturas(page, "nota_a_mao_depois_de_avaliar_outra_vez")
    # O resto do formgrader depois desta avaliação (issue 24): contagens, nomes, endereço impresso.
    professor.depois_da_segunda_avaliacao(page, base, capturas, projeto, saida_, auto + 1.5)


ATRASAR_NOTAS_DO_FORMGRADER = """
const enviar = XMLHttpRequest.prototype.send, abrir = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (metodo, url) {
  this._endereco = String(url);
  return abrir.apply(this, arguments);
};
XMLHttpRequest.prototype.send = function () {
  if (this._endereco.includes("/formgrader/api/grades")) {
    setTimeout(() => enviar.apply(this, arguments), 3000);
    return;
  }
  return enviar.apply(this, arguments);
};
"""


def _ultimo_erro(registo: Path) -> str:
    """O fim do último traceback no registo do servidor (o que o professor veria no terminal),
    ou as últimas linhas de erro quando não há traceback."""
    texto = registo.read_text(errors="replace")
    inicio = texto.rfind("Traceback (most recent call last)")
    if inicio < 0:  # sem traceback: as linhas de erro do registo («[E …»), ou o fim dele
        erros = [linha for linha in texto.splitlines() if linha.startswith("[E ")]
        return "\n".join(erros[-5:]) or texto[-2000:]
    linhas = []
    for linha in texto[inicio:].splitlines()[1:]:
        if linha.startswith("["):  # a linha seguinte do registo: o traceback acabou
            break
        if linha.strip() and set(linha.strip()) != {"^"}:
            linhas.append(linha.strip())
    return "\n".join(["Traceback (most recent call last): …", *linhas[-6:]])


def _esperar_nota(raiz: Path, pontos: float, comentario: str, espera: float = 30) -> None:
    """Espera que a nota e o comentário à mão estejam no gradebook (o formgrader grava-os com
    um pedido assíncrono)."""
    from nbgrader.api import Gradebook

    limite = time.monotonic() + espera
    while True:
        with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
            vistos = (gb.find_grade(LIVRE, SEQ, SEQ, "ana").manual_score,
                      gb.find_comment(LIVRE, SEQ, SEQ, "ana").manual_comment)
        if vistos == (pontos, comentario):
            return
        assert time.monotonic() < limite, f"no gradebook está {vistos}, não {(pontos, comentario)}"
        time.sleep(0.5)

