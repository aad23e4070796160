"""O que o professor e o aluno veem ao abrir o JupyterLab (issue 16).

- ``make professor`` serve o formgrader do nbgrader na pasta do curso do professor (professor/, só o curso), com todas
  as tarefas e sem o aviso da pasta de troca;
- ``make curso`` mostra em course/ só os cadernos e o pacote de apoio (sem egg-info nem caches);
- o JupyterLab não pergunta se o aluno quer notícias do Jupyter (jupyter_config/ do projeto).

Os servidores arrancam numa cópia do projeto (só o que os comandos usam, com um .venv que aponta
para o verdadeiro), com a configuração do utilizador numa pasta temporária: nada do que geram
fica no projeto. O ``source/`` e o ``release/`` da cópia são os cadernos de course/ (o build a
sério demora minutos e tem os seus testes em test_construcao.py): aqui prova-se que o formgrader
os encontra, não como são feitos.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servidores import (
    RAIZ,
    TAREFAS,
    com_tarefas,
    copiar_projeto,
    ler_json,
    ler_texto,
    servidor,
)

TOKEN = "token-de-teste-do-professor"
_json, _texto = ler_json, ler_texto  # os nomes de sempre deste ficheiro


def _servidor(alvo: str, projeto: Path, casa: Path):
    return servidor(alvo, projeto, casa, TOKEN)


@pytest.fixture(scope="module")
def projeto(tmp_path_factory) -> Path:
    return _copiar_projeto(tmp_path_factory.mktemp("projeto"))


def _copiar_projeto(copia: Path) -> Path:
    """Cópia do que o make curso e o make professor usam, com um .venv já «instalado»."""
    return copiar_projeto(copia)


def _com_tarefas(projeto: Path) -> None:
    com_tarefas(projeto)


def test_make_professor_gera_o_build_so_se_faltar(projeto):
    """Sem source/ ou release/, o make professor corre o build primeiro; com eles, não."""
    for pasta in ("source", "release"):
        shutil.rmtree(projeto / "professor" / pasta, ignore_errors=True)
    sem = subprocess.run(["make", "-n", "professor"], cwd=projeto, capture_output=True, text=True)
    assert "autograder.construir" in sem.stdout, sem.stdout + sem.stderr
    _com_tarefas(projeto)
    com = subprocess.run(["make", "-n", "professor"], cwd=projeto, capture_output=True, text=True)
    assert com.returncode == 0 and "autograder.construir" not in com.stdout, com.stdout + com.stderr
    assert "cd professor" in com.stdout and "jupyterlab" in com.stdout


@pytest.mark.lento
def test_make_professor_serve_o_formgrader_com_todas_as_tarefas(projeto, tmp_path):
    _com_tarefas(projeto)
    with _servidor("professor", projeto, tmp_path) as base:
        # O primeiro pedido cria o gradebook (o nbgrader corre o alembic): pode demorar.
        tarefas = _json(f"{base}/formgrader/api/assignments?token={TOKEN}", espera=120)
        assert sorted(t["name"] for t in tarefas) == TAREFAS
        # A raiz do servidor é a pasta do curso do professor (professor/, a raiz do nbgrader): o
        # explorador mostra o curso e nada do código do motor (antes: avaliar.py, juiz.py, …).
        nomes = {i["name"] for i in _json(f"{base}/api/contents?token={TOKEN}")["content"]}
        assert {"nbgrader_config.py", "source", "release"} <= nomes, nomes
        codigo = {n for n in nomes if n.endswith(".py") and n != "nbgrader_config.py"} | (nomes & {"testes_ocultos", "variantes"})
        assert not codigo, f"o explorador do professor mostra código do motor: {sorted(codigo)}"
        # Sem o aviso «The exchange directory … does not exist» (troca local: jupyter_config/).
        pagina = _texto(f"{base}/formgrader/manage_assignments?token={TOKEN}")
        assert "Manage Assignments" in pagina, pagina[:500]
        assert "warning-exchange" not in pagina, "o formgrader avisa que falta a pasta de troca"
        assert (projeto / "professor" / "exchange").is_dir()
        # Nem pergunta pelas notícias (a mesma configuração que o make curso).
        _sem_pergunta_das_noticias(base)


def _sem_pergunta_das_noticias(base: str) -> None:
    """O valor em vigor de fetchNews é «false» (o JupyterLab só pergunta quando é «none»)."""
    plugin = _json(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={TOKEN}")
    propriedades = plugin["schema"]["properties"]
    em_vigor = plugin["settings"].get("fetchNews", propriedades["fetchNews"]["default"])
    assert em_vigor == "false", f"o JupyterLab vai perguntar pelas notícias (fetchNews={em_vigor!r})"
    assert plugin["settings"].get("checkForUpdates", propriedades["checkForUpdates"]["default"]) is False


@pytest.mark.lento
def test_make_curso_mostra_so_cadernos_e_o_pacote(projeto, tmp_path):
    # O que uma instalação antiga e o uso deixam em course/: tem de continuar escondido.
    (projeto / "course" / "modulo4_otimizacao.egg-info").mkdir(exist_ok=True)
    (projeto / "course" / "modulo4_otimizacao.egg-info" / "PKG-INFO").write_text("x")
    (projeto / "course" / "otimizacao" / "__pycache__").mkdir(exist_ok=True)
    (projeto / "course" / ".ipynb_checkpoints").mkdir(exist_ok=True)
    with _servidor("curso", projeto, tmp_path) as base:
        raiz = {i["name"] for i in _json(f"{base}/api/contents?token={TOKEN}")["content"]}
        assert raiz == {f"{t}.ipynb" for t in TAREFAS} | {"otimizacao"}, raiz
        pacote = _json(f"{base}/api/contents/otimizacao?token={TOKEN}")["content"]
        fora = [i["name"] for i in pacote if not i["name"].endswith(".py")]
        assert not fora, f"em course/otimizacao/ o aluno vê {fora}"
        _sem_pergunta_das_noticias(base)


def test_a_instalacao_nao_deixa_egg_info_em_course(tmp_path):
    """O ``pip install -e .`` do make escreve o egg-info onde o ``[tool.distutils.egg_info]`` do
    pyproject.toml manda (a raiz do projeto), não ao lado do pacote em course/. Corre o comando
    egg_info do setuptools (o que a instalação editável corre) numa cópia do projeto: sem essa
    configuração, o egg-info aparece em course/ (visto à mão) e este teste falha. Não olha para
    a árvore de trabalho, que o make limpa depois de instalar."""
    import sys

    copia = tmp_path / "projeto"
    (copia / "course").mkdir(parents=True)
    shutil.copy(RAIZ / "pyproject.toml", copia / "pyproject.toml")
    shutil.copytree(RAIZ / "course" / "otimizacao", copia / "course" / "otimizacao")
    r = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "egg_info"],
                       cwd=copia, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sobras = [p.name for p in (copia / "course").iterdir() if p.name.endswith((".egg-info", ".dist-info"))]
    assert not sobras, f"a instalação deixou {sobras} em course/ (ver [tool.distutils.egg_info])"
    assert (copia / "modulo4_otimizacao.egg-info").is_dir()


def test_torch_so_cpu_instala_a_mesma_versao_fixada_antes_do_resto():
    """``make setup TORCH_CPU=1`` (Linux sem GPU NVIDIA, README): primeiro o torch da linha fixada
    do requirements.txt, do índice CPU do PyTorch; depois o resto, que já o encontra instalado.
    Sem TORCH_CPU, nenhum índice extra. (``make -n``: mostra os comandos sem os correr.)"""
    fixado = [linha for linha in (RAIZ / "requirements.txt").read_text().splitlines() if linha.startswith("torch==")]
    assert fixado == ["torch==2.13.0"]  # a versão que o guia dos programadores manda fixar

    def comandos(*extra):
        r = subprocess.run(["make", "-n", "-W", "requirements.txt", "setup", *extra], cwd=RAIZ,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [linha for linha in r.stdout.splitlines() if "pip install" in linha]

    cpu = comandos("TORCH_CPU=1")
    assert "--index-url https://download.pytorch.org/whl/cpu" in cpu[0]
    pacote = next(t for t in shlex.split(cpu[0]) if t.startswith("$("))
    torch = subprocess.run(["bash", "-c", f'echo "{pacote}"'], cwd=RAIZ, capture_output=True, text=True)
    assert torch.stdout.strip() == "torch==2.13.0"  # o $(grep …) do Makefile dá a linha fixada
    assert "-r requirements.txt" in cpu[1]
    assert not any("--index-url" in linha for linha in comandos())


# --------------------------------------------------------------------------- o formgrader depois do make avaliar
def _api(raiz: Path):
    """A API que o próprio formgrader usa (nbgrader.apps.NbGraderAPI), na raiz do curso."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    return NbGraderAPI(coursedir=CourseDirectory(root=str(raiz)))


def test_formgrader_conta_as_entregas_e_mostra_os_nomes_depois_de_avaliar(tmp_path, monkeypatch):
    """``formgrader.sincronizar_formgrader`` sobre um gradebook como o ``gradebook.registar`` o deixa
    (sem correr cadernos): o que o formgrader mostra vem das funções dele (NbGraderAPI), não
    do código testado. Antes da sincronização, 0 entregas e nomes vazios (o que a issue 24 viu)."""
    import datetime
    import os
    import sys

    import nbformat
    from nbgrader.api import Gradebook

    from autograder import formgrader
    from autograder.entregas import id_seguro
    from autograder.resultado import Resultado

    # O nbgrader chama o «alembic» pelo nome ao criar o gradebook (como no make professor).
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    raiz, t = tmp_path / "raiz", "t1"
    (raiz / "source" / t).mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), raiz / "source" / t / f"{t}.ipynb")
    lista_csv = tmp_path / "turma.csv"
    lista_csv.write_text("numero,nome,email\n990001,Ana Sofia Gonçalves,ana@exemplo.pt\n", encoding="utf-8")
    # (pasta do aluno, entregou?) — «a990001» é a conta do make turma do aluno 990001 da lista;
    # «a990002» já tem nome no gradebook (dado pelo make turma) e não está na lista.
    alunos = {"Zé Maria": True, "ana_silva": True, "rui": False, "a990001": True, "a990002": True}
    entregas = tmp_path / "entregas"
    resultados, pastas = [], {}
    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        gb.add_assignment(t)
        gb.add_student("a990002", first_name="Eva", last_name="Lopes")
        for aluno, entregou in alunos.items():
            aluno_id = id_seguro(aluno)
            if aluno_id != "a990002":
                gb.add_student(aluno_id)  # como o gradebook.registar: sem nomes
            gb.add_submission(t, aluno_id)
            pasta = entregas / aluno / t
            pasta.mkdir(parents=True)
            if entregou:
                nbformat.write(nbformat.v4.new_notebook(), pasta / f"{t}.ipynb")
                (raiz / "autograded" / aluno_id / t).mkdir(parents=True)
                nbformat.write(nbformat.v4.new_notebook(), raiz / "autograded" / aluno_id / t / f"{t}.ipynb")
            pastas[(aluno_id, t)] = pasta
            resultados.append(Resultado(aluno, aluno_id, t, avaliado=entregou))
    os.utime(entregas / "ana_silva" / t / f"{t}.ipynb", (1_700_000_000, 1_700_000_000))
    # Uma entrega recolhida pelo nbgrader (o Collect): já está em submitted/, com a hora dela.
    recolhida = raiz / "submitted" / "a990003" / t
    recolhida.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), recolhida / f"{t}.ipynb")
    (recolhida / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        gb.add_student("a990003", first_name="Rita", last_name="Alves")
        gb.add_submission(t, "a990003")
    (raiz / "autograded" / "a990003" / t).mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), raiz / "autograded" / "a990003" / t / f"{t}.ipynb")
    resultados.append(Resultado("a990003", "a990003", t, avaliado=True))
    pastas[("a990003", t)] = recolhida

    api = _api(raiz)
    antes = api.get_assignment(t)["num_submissions"]
    assert antes == 1  # só a recolhida: o que o make avaliar deixava (a issue viu 0 sem recolhidas)
    # A recolhida tem hora (timestamp.txt) e o gradebook não: o formgrader dava-a por avaliar.
    assert "a990003" not in api.get_autograded_students(t)

    formgrader.sincronizar_formgrader(raiz, resultados, pastas, formgrader.ler_lista_da_turma(lista_csv))

    entregues = {id_seguro(a) for a, e in alunos.items() if e} | {"a990003"}
    assert api.get_assignment(t)["num_submissions"] == len(entregues)  # rui não entregou
    assert api.get_autograded_students(t) == entregues  # horas iguais: avaliadas, corrigíveis à mão
    nomes = {s["id"]: (s["first_name"], s["last_name"], s["email"]) for s in api.get_students()}
    assert nomes == {
        id_seguro("Zé Maria"): ("Zé", "Maria", None),
        "ana_silva": ("ana", "silva", None),
        "rui": ("rui", "", None),
        "a990001": ("Ana", "Sofia Gonçalves", "ana@exemplo.pt"),  # da lista da turma
        "a990002": ("Eva", "Lopes", None),  # o nome que já lá estava fica
        "a990003": ("Rita", "Alves", None),
    }
    # A hora de uma entrega é a do caderno entregue; a recolhida fica como o nbgrader a deixou.
    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        assert gb.find_submission(t, "ana_silva").timestamp == datetime.datetime(2023, 11, 14, 22, 13, 20)
        assert gb.find_submission(t, "a990003").timestamp == datetime.datetime(2026, 12, 1, 10, 0)
    assert (recolhida / "timestamp.txt").read_text() == "2026-12-01 10:00:00.000000 UTC"
    assert sorted(p.name for p in recolhida.iterdir()) == [f"{t}.ipynb", "timestamp.txt"]

    # Uma segunda avaliação em que a entrega da ana já não tem caderno avaliado (ficou ilegível):
    # sai de submitted/ (o formgrader não a pode mostrar como avaliada) e a contagem desce.
    import shutil as _shutil

    _shutil.rmtree(raiz / "autograded" / "ana_silva")
    formgrader.sincronizar_formgrader(raiz, resultados, pastas)
    assert api.get_assignment(t)["num_submissions"] == len(entregues) - 1
    assert "ana_silva" not in api.get_submitted_students(t)
    # Sem a lista, os nomes que lá estão ficam (não voltam aos da pasta).
    assert {s["id"]: s["first_name"] for s in api.get_students()}["a990001"] == "Ana"


def test_linha_do_resultado_diz_se_a_nota_foi_reutilizada():
    """Uma corrida que lê a nota guardada não diz «em 35 s» como se tivesse avaliado de novo."""
    from autograder import relatorios
    from autograder.resultado import Resultado

    r = Resultado("ana", "ana", "02", notas={"a": [3.0, 14.0]}, segundos=35.0, avaliado=True,
                        avaliado_em="2026-12-04 02:10")
    assert "avaliada em 35 s" in relatorios.linha_do_resultado(r)
    r.reutilizado = True
    linha = relatorios.linha_do_resultado(r)
    assert "3/14" in linha and "reutilizada" in linha and "2026-12-04 02:10" in linha and "35 s" not in linha
    # O que fica no resultado.json não diz «reutilizado»: é desta corrida, não da avaliação.
    assert Resultado(**{**r.__dict__, "reutilizado": False}).reutilizado is False


def test_o_id_no_nbgrader_fica_fora_do_feedback_e_os_avisos_do_aluno_ficam(tmp_path):
    """O feedback recebe ``motivos_do_aluno``: a contabilidade do professor (o id no nbgrader)
    não; um aviso da entrega dele (tempo esgotado, ficheiros extra) sim."""
    from autograder import gradebook
    from autograder.resultado import Resultado

    r = Resultado("Zé Maria", "Ze_Maria-94d896", "02")
    r.motivos.append("O identificador «Zé Maria» foi guardado no nbgrader como «Ze_Maria-94d896».")
    r.so_professor.append(r.motivos[-1])
    r.motivos.append("A entrega excedeu o tempo total de 900 s e foi parada: vale 0.")
    html = tmp_path / "02.html"
    html.write_text('<html><body><div class="nbg-resumo">x</div></body></html>', encoding="utf-8")
    assert gradebook.avisos_no_feedback(html, r.motivos_do_aluno) is None
    texto = html.read_text(encoding="utf-8")
    assert "excedeu o tempo" in texto and "Ze_Maria-94d896" not in texto
    assert len(r.motivos) == 2  # o relatório (escrever_relatorio usa r.motivos) continua a ter os dois


def test_a_barra_diz_o_que_esta_a_ser_avaliado_e_anda_a_cada_entrega(tmp_path, monkeypatch, capsys):
    """Sem kernels: ``entrega.avaliar_entrega`` trocado por um que demora. Enquanto nenhuma acaba,
    a barra diz quais estão a ser avaliadas (e há quanto tempo); a rápida aparece logo, antes
    da lenta acabar (a issue 24 viu a barra parada em 0/2 sem dizer nada durante 30 s)."""
    import threading
    import time

    from autograder import entrega, paralelo, processos
    from autograder.resultado import Resultado

    lenta_pode_acabar = threading.Event()
    vistos = []

    def falso(raiz, tarefa, aluno, pasta, limites, refazer):
        if aluno == "lenta":
            lenta_pode_acabar.wait(10)
        vistos.append(aluno)
        return Resultado(aluno, aluno, tarefa, notas={"a": [1.0, 2.0]}, segundos=0.0, avaliado=True)

    monkeypatch.setattr(entrega, "avaliar_entrega", falso)
    lista = [("lenta", "t", tmp_path), ("rapida", "t", tmp_path)]
    fio = threading.Thread(target=lambda: (time.sleep(1.0), lenta_pode_acabar.set()))
    fio.start()
    resultados = paralelo.avaliar_todas(tmp_path, lista, 2, processos.Limites(), intervalo=0.2)
    fio.join()
    saida = capsys.readouterr().out.replace("\r", "\n")
    assert vistos == ["rapida", "lenta"] and len(resultados) == 2
    # Depois de a rápida acabar e antes da lenta: 1/2, com a lenta em curso na barra.
    rapida, lenta = saida.index("rapida · t: 1/2"), saida.index("lenta · t: 1/2")
    assert rapida < lenta
    assert re.search(r"1/2 .*a avaliar lenta · t há \d+ s", saida[rapida:lenta]), saida
    assert "a avaliar rapida" not in saida[rapida:lenta]  # a que acabou sai logo da lista
