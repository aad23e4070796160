"""A turma do ``make turma`` (issue 22) num Chromium a sério, de ponta a ponta, como o professor e
os alunos a usam.

O hub no loopback (o fixture ``turma`` de tests/servidores_turma.py: uma cópia do projeto, as
contas de teste tprof990, a990001 «Zé Maria» e a990002 «Ana Sofia Gonçalves»), uma janela
(um contexto do navegador, com os seus cookies) para cada um:

1. cada um entra em /hub/login com a sua senha gerada;
2. o professor abre o formgrader (*Nbgrader › Formgrader*) e carrega em **Release** na tarefa;
3. cada aluno abre *Nbgrader › Assignment List*, vê a tarefa em *Released assignments* e
   carrega em **Fetch**; abre o caderno; o Zé escreve a resposta certa nas células de solução
   e guarda (Ctrl+S), a Ana deixa o esqueleto; cada um carrega em **Submit**;
4. o professor carrega em **Collect**;
5. a avaliação do curso (``autograder.avaliar``, o que o ``make avaliar`` corre) avalia
   ``professor/submitted`` tal como o *Collect* a deixou, e deixa o feedback pronto para o
   nbgrader; o professor vê as notas no formgrader;
6. o professor carrega em **Release feedback**;
7. cada aluno carrega em **Fetch Feedback**, abre o HTML e lê a nota: 14/14 e 0/14, as mesmas
   que os mesmos cadernos, recolhidos à mão, têm na avaliação de sempre.

Cada passo deixa uma captura de ecrã em tests/capturas/test_turma_no_navegador/ (as do README,
«O dia do professor», saíram daqui: docs/imagens/turma/). Como root, escalão lento; corre no CI
com a bateria inteira.
"""

from __future__ import annotations

import contextlib
import pwd
import re
import time
from pathlib import Path

import nbformat
import pytest

from tests import servidores_turma
from tests.interface.test_navegador import ARGUMENTOS, CAPTURAS, CHROMIUM, RAIZ, Capturas

pytestmark = [
    pytest.mark.navegador,
    pytest.mark.lento,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"Falta o Chromium ({CHROMIUM}) para os testes no navegador. Instala-o com "
                              "«sudo apt-get install chromium» (como root: «apt-get install -y chromium»)."),
]

if (_motivo := servidores_turma.motivo_para_saltar()) is not None:
    pytest.skip(_motivo, allow_module_level=True)

from tests.servidores_turma import A1, A2, PROFESSOR, TAREFA, turma  # noqa: E402, F401

# ms: arrancar um servidor, buscar, entregar. Medido numa máquina de 2 núcleos: os três servidores
# prontos 12-25 s depois do login (com o hub a arrancar outra vez), cada botão < 5 s; 180 s é margem
# para um CI carregado.
ESPERA = 180_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """O Chromium do sistema (como em tests/interface/test_navegador.py): o Playwright nunca descarrega um."""
    pytest.importorskip("playwright.sync_api", reason="falta o playwright: make (requirements.txt)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True, "args": ARGUMENTOS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "locale": "pt-PT"}


# --------------------------------------------------------------------------- passos
def entrar(pagina, t, conta: str) -> None:
    """O formulário de /hub/login, como a pessoa o preenche. Não espera pelo servidor dela: o hub
    arranca-o enquanto os outros entram."""
    pagina.goto(f"{t.url}/hub/login")
    pagina.locator("#username_input").fill(conta)
    pagina.locator("#password_input").fill(t.senhas[conta])
    pagina.locator("#login_submit").click()


def esperar_lab(pagina, t, conta: str) -> None:
    """O JupyterLab da conta aberto (depois do «Your server is starting up» do hub)."""
    from playwright.sync_api import expect

    expect(pagina.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader")).to_be_visible(timeout=ESPERA)
    assert f"/user/{conta}/" in pagina.url, pagina.url


def desenhado(pagina) -> None:
    """Espera que o navegador desenhe o que mudou (dois quadros), sem esperas fixas: as células que
    o JupyterLab só desenha quando entram no ecrã (content-visibility) saíam em branco na captura."""
    pagina.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def menu_nbgrader(pagina, item: str) -> None:
    pagina.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    pagina.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{item}$")).click()


def formgrader(pagina):
    """O formgrader no JupyterLab do professor (*Nbgrader › Formgrader*), com a tarefa na tabela."""
    from playwright.sync_api import expect

    menu_nbgrader(pagina, "Formgrader")
    quadro = pagina.frame_locator("#formgrader-iframe iframe")
    expect(quadro.locator("#main-table")).to_contain_text(TAREFA, timeout=ESPERA)
    return quadro


def botao_do_formgrader(pagina, quadro, coluna: str, sucesso: str, capturas, passo: str) -> None:
    """Carrega no botão da ``coluna`` (release, collect, release-feedback) da linha da tarefa e
    espera pela janela de sucesso do formgrader (uma de erro falha com o registo do nbgrader)."""
    from playwright.sync_api import expect

    linha = quadro.locator("#main-table tr", has_text=TAREFA)
    linha.locator(f"td.{coluna} a").click()
    janela = quadro.locator(".modal.in, .modal:visible").filter(has_text=re.compile("Success|Error")).first
    expect(janela).to_be_visible(timeout=ESPERA)
    expect(janela).to_have_css("opacity", "1")  # o fim da animação de entrada (a captura não sai esbatida)
    desenhado(pagina)
    capturas(pagina, passo)
    texto = janela.inner_text()
    assert sucesso in texto, texto[:3000]
    janela.get_by_role("button", name="OK").click()
    expect(janela).to_be_hidden(timeout=30_000)


def lista_de_tarefas(pagina):
    """*Nbgrader › Assignment List* do aluno, já carregada."""
    from playwright.sync_api import expect

    menu_nbgrader(pagina, "Assignment List")
    lista = pagina.locator("#nbgrader-assignment-list")
    expect(lista).to_be_visible(timeout=ESPERA)
    expect(lista.locator("#released_assignments_list_loading")).to_be_hidden(timeout=ESPERA)
    return lista


def _celulas_de_solucao(t) -> dict[int, str]:
    """posição no caderno libertado → código de referência, para cada célula de solução."""
    from autograder.turma_demo import respostas_referencia

    respostas = respostas_referencia(t.raiz / "source" / TAREFA / f"{TAREFA}.ipynb")
    nb = nbformat.read(t.raiz / "release" / TAREFA / f"{TAREFA}.ipynb", as_version=4)
    escrever = {}
    for i, c in enumerate(nb.cells):
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in respostas:
            escrever[i] = respostas[meta["grade_id"]].strip("\n")
    assert len(escrever) == len(respostas) >= 3, (sorted(escrever), sorted(respostas))
    return escrever


def _guardado(caderno: Path, solucoes: dict[int, str]) -> bool:
    """O caderno no disco já tem o código de cada célula de solução (o Ctrl+S chegou ao servidor)."""
    try:
        celulas = nbformat.read(caderno, as_version=4).cells
    except Exception:  # a meio de ser escrito
        return False
    return all(codigo.strip() == celulas[i].source.strip() for i, codigo in solucoes.items())


def _esperar(condicao, espera: float, mensagem) -> None:
    limite = time.monotonic() + espera
    while not condicao():
        assert time.monotonic() < limite, mensagem()
        time.sleep(0.25)


# --------------------------------------------------------------------------- o teste
def test_turma_no_navegador(turma, browser, browser_context_args, request, capsys):  # noqa: F811
    from playwright.sync_api import expect

    t = turma
    servidores_turma.recomecar(t)  # o hub é da sessão: talvez o outro teste da turma já lá tenha passado
    inicio = time.monotonic()
    pasta = CAPTURAS / request.node.name
    with capsys.disabled():
        print(f"\n» capturas de ecrã deste teste em {pasta.relative_to(RAIZ)}/")
    capturas = Capturas(pasta)
    janelas = {conta: browser.new_context(**browser_context_args) for conta in (PROFESSOR, A1, A2)}
    paginas = {conta: janela.new_page() for conta, janela in janelas.items()}
    prof = paginas[PROFESSOR]
    atual = prof
    avaliacoes = []
    try:
        with capturas.ao_falhar(prof):
            # 1. Cada um entra com a sua conta; os três servidores arrancam ao mesmo tempo.
            prof.goto(f"{t.url}/hub/login")
            prof.locator("#username_input").fill(PROFESSOR)
            capturas(prof, "login")
            for conta, pagina in paginas.items():
                entrar(pagina, t, conta)
            for conta, pagina in paginas.items():
                atual = pagina
                esperar_lab(pagina, t, conta)
            atual = prof

            # 2. O professor liberta a tarefa no formgrader.
            quadro = formgrader(prof)
            capturas(prof, "formgrader_tarefas")
            botao_do_formgrader(prof, quadro, "release", f"Successfully released '{TAREFA}'", capturas, "release")
            expect(quadro.locator("#main-table tr", has_text=TAREFA)).to_contain_text("released")

            # 3. Cada aluno vê a tarefa, busca-a, abre o caderno, (responde e guarda) e entrega.
            solucoes = _celulas_de_solucao(t)
            for conta in (A1, A2):
                pagina = atual = paginas[conta]
                lista = lista_de_tarefas(pagina)
                libertadas = lista.locator("#released_assignments_list .list_item", has_text=TAREFA)
                expect(libertadas).to_be_visible(timeout=ESPERA)
                capturas(pagina, f"{conta}_tarefa_libertada")
                libertadas.get_by_role("button", name="Fetch").click()
                buscada = lista.locator("#fetched_assignments_list .list_item", has_text=TAREFA).first
                expect(buscada).to_be_visible(timeout=ESPERA)
                capturas(pagina, f"{conta}_tarefa_buscada")
                caderno = t_home(conta) / TAREFA / f"{TAREFA}.ipynb"
                assert caderno.is_file()

                pagina.goto(f"{t.url}/user/{conta}/lab/tree/{TAREFA}/{TAREFA}.ipynb")
                celulas = pagina.locator(
                    "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden):visible .jp-Notebook .jp-Cell")
                expect(celulas.first).to_be_visible(timeout=ESPERA)
                if conta == A1:
                    for i, codigo in solucoes.items():
                        editor = celulas.nth(i).locator(".cm-content")
                        editor.scroll_into_view_if_needed()
                        editor.click()
                        editor.fill(codigo)
                    pagina.keyboard.press("Control+s")
                    _esperar(lambda c=caderno: _guardado(c, solucoes), 60,
                             lambda: f"o caderno de {A1} não ficou guardado com as respostas")
                    primeira = celulas.nth(min(solucoes)).locator(".cm-content")
                    primeira.scroll_into_view_if_needed()
                    expect(primeira).to_contain_text(solucoes[min(solucoes)].splitlines()[-1].strip())
                    desenhado(pagina)
                    capturas(pagina, f"{conta}_resposta_guardada")
                else:
                    expect(celulas.first.locator(".jp-RenderedMarkdown")).to_be_visible()
                    desenhado(pagina)
                    capturas(pagina, f"{conta}_caderno_aberto")

                lista = lista_de_tarefas(pagina)
                buscada = lista.locator("#fetched_assignments_list .list_item", has_text=TAREFA).first
                buscada.get_by_role("button", name="Submit").click()
                entregue = lista.locator("#submitted_assignments_list .list_item", has_text=TAREFA)
                expect(entregue.first).to_be_visible(timeout=ESPERA)
                capturas(pagina, f"{conta}_entregue")

            # 4. O professor recolhe as entregas.
            atual = prof
            botao_do_formgrader(prof, quadro, "collect", "Successfully collected", capturas, "collect")
            recolhidas = t.raiz / "submitted"
            assert sorted(p.name for p in recolhidas.iterdir()) == [A1, A2]

            # 5. A avaliação de sempre sobre a pasta recolhida (make avaliar SUBMISSOES=autograder/
            # submitted) e, ao mesmo tempo, sobre os mesmos cadernos recolhidos à mão.
            a_mao = servidores_turma.copiar_a_mao(recolhidas, t.base / "a_mao")
            avaliacao = servidores_turma.avaliar(recolhidas, t.raiz)
            comparacao = servidores_turma.avaliar(a_mao, t.base / "raiz_a_mao")
            avaliacoes += [avaliacao, comparacao]
            saida, _ = avaliacao.communicate(timeout=600)
            print(saida[-1500:])
            assert avaliacao.returncode == 0, saida[-4000:]
            notas = servidores_turma.notas(t.raiz)
            assert notas == {A1: 14.0, A2: 0.0}, saida[-4000:]
            # As notas no formgrader (Manage Assignments › o número de entregas).
            quadro.locator("#main-table tr", has_text=TAREFA).locator("td a", has_text=re.compile(r"^2$")).click()
            for conta, nota in ((A1, "14 / 14"), (A2, "0 / 14")):
                expect(quadro.locator("#main-table tr", has_text=conta)).to_contain_text(nota, timeout=60_000)
            capturas(prof, "formgrader_notas")
            prof.reload()
            esperar_lab(prof, t, PROFESSOR)
            expect(prof.locator(".jp-DirListing-item").first).to_be_visible(timeout=60_000)  # a raiz do curso
            quadro = formgrader(prof)

            # 6. O professor liberta o feedback (sem mais nenhum passo depois da avaliação).
            botao_do_formgrader(prof, quadro, "release-feedback", "Successfully released feedback",
                                capturas, "release_feedback")

            # 7. Cada aluno busca o seu feedback e lê lá a nota.
            for conta, esperado in ((A1, "14 de 14"), (A2, "0 de 14")):
                pagina = atual = paginas[conta]
                pagina.goto(f"{t.url}/user/{conta}/lab")
                esperar_lab(pagina, t, conta)
                lista = lista_de_tarefas(pagina)
                entregue = lista.locator("#submitted_assignments_list .list_item", has_text=TAREFA).first
                expect(entregue).to_contain_text("feedback available to fetch", timeout=ESPERA)
                entregue.get_by_role("button", name="Fetch Feedback").click()
                expect(entregue).to_contain_text("view feedback", timeout=ESPERA)
                capturas(pagina, f"{conta}_feedback_buscado")
                htmls = sorted((t_home(conta) / TAREFA / "feedback").glob(f"*/{TAREFA}.html"))
                assert len(htmls) == 1, htmls
                relativo = htmls[0].relative_to(t_home(conta))
                pagina.goto(f"{t.url}/user/{conta}/files/{relativo}")
                titulo = pagina.locator("h1").first
                expect(titulo).to_contain_text(TAREFA, timeout=60_000)
                capturas(pagina, f"{conta}_feedback")
                assert esperado in titulo.inner_text().replace(".0", ""), titulo.inner_text()

            # As mesmas notas que os mesmos cadernos recolhidos à mão têm.
            saida, _ = comparacao.communicate(timeout=600)
            assert comparacao.returncode == 0, saida[-4000:]
            assert servidores_turma.notas(t.base / "raiz_a_mao") == notas
            print(f"turma no navegador: {time.monotonic() - inicio:.0f} s")
    except BaseException:
        if atual is not prof:
            with contextlib.suppress(Exception):
                capturas(atual, "FALHOU_aqui")
        raise
    finally:
        for proc in avaliacoes:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        for janela in janelas.values():
            janela.close()


def t_home(conta: str) -> Path:
    return Path(pwd.getpwnam(conta).pw_dir)
