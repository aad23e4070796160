"""Pré-processadores da avaliação (``nbgrader autograde``), ativados em nbgrader_config.py."""

import os
import time
from pathlib import Path

from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade


class StderrNaoEErro(NbGraderPreprocessor):
    """Nas células avaliadas, passa as saídas ``stream``/``stderr`` para ``stdout``.

    O nbgrader dá 0 a qualquer célula de teste com texto em stderr (``utils.determine_grade``),
    e as bibliotecas escrevem lá sem que haja erro nenhum: o DeprecationWarning do
    ``quantize_dynamic`` (o IPython mostra os DeprecationWarning atribuídos ao ``__main__``, seja
    qual for o PYTHONWARNINGS), as linhas do absl que o C++ do TensorFlow escreve no descritor 2
    (o ipykernel apanha-as e envia-as como stderr), as barras de progresso do tqdm. Uma resposta
    certa não pode perder pontos por isso (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada).

    O texto fica no caderno avaliado e no feedback (como saída normal); só deixa de contar
    como falha. Os erros a sério (asserts que falham, exceções, tempo esgotado) são saídas
    ``error`` e continuam a valer 0. Corre logo a seguir ao ``Execute``, antes do
    ``SaveAutoGrades`` que calcula as notas.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for saida in cell.get("outputs", []):
                if saida.get("output_type") == "stream" and saida.get("name") == "stderr":
                    saida["name"] = "stdout"
        return cell, resources


class ExecutarEJulgar(Execute):
    """O ``Execute`` do nbgrader, com o juiz (``autograder/juiz.py``) no fim.

    Num caderno julgado (o seu ficheiro de testes ocultos tem a secção ``# %% contexto``):
    antes de correr, as células de teste julgadas ficam vazias (nenhum teste entra no kernel do
    aluno); o caderno corre como sempre, entre duas sondas que dizem o que mudou no kernel (só para
    o relatório); com o kernel ainda vivo, o juiz corre cada célula de teste inteira neste
    processo, chamando os exercícios no kernel, e a saída da célula passa a ser o veredicto dele
    (nada se passou; um erro com a mensagem se falhou). Depois, o texto completo das células de
    teste é reposto (o professor vê-o no formgrader; o feedback tira os ocultos como sempre).

    O que aconteceu fica em ``CURSO4_JUIZ_RELATORIO`` (JSON): os veredictos (com o tempo de
    cada um), o que a sonda achou (adulteração), onde foi o tempo, e uma falha do próprio juiz,
    que deixa a entrega «não avaliada» (``entrega.py``).
    """

    _espaco_juiz: dict | None = None
    _contexto = ""

    def preprocess(self, nb, resources=None, km=None):
        import json

        from nbclient import NotebookClient

        from autograder import comum, juiz

        caderno = ((resources or {}).get("nbgrader") or {}).get("notebook", "")
        contexto = juiz.contexto_do_caderno(caderno, os.environ.get(comum.ENV_AUTOGRADER))
        completos: dict[int, str] = {}
        for i in juiz.julgadas(nb.cells, contexto):
            # No kernel, uma célula julgada fica vazia: os seus testes (visíveis e ocultos) correm
            # só no juiz. Corrê-los também no kernel custava o dobro e não decidia nada.
            completos[i] = nb.cells[i].source
            nb.cells[i].source = ""
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        julgamento = None
        pasta = Path(((resources or {}).get("metadata") or {}).get("path") or os.getcwd())
        tempos = {"inicio": time.perf_counter()}
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            if contexto is not None:
                self._no_kernel(juiz.sonda("marcar"))
            for index, celula in enumerate(self.nb.cells):
                self.preprocess_cell(celula, resources, index)
            antes_do_juiz = _ficheiros(pasta)
            tempos["caderno"] = time.perf_counter()
            if contexto is not None:
                achados = self._sondar()
                # Depois de o caderno correr com as funções do aluno, o juiz usa as de referência
                # das células «trazer_do_caderno_*» (uma falha, uma penalização: ver abaixo).
                if referencias := _referencias_anteriores(resources):
                    self._no_kernel(referencias)
                julgamento = self._julgar(caderno, contexto, completos, tempos)
                julgamento["adulteracoes"] = achados
        # O kernel já morreu. O que ele escreveu na pasta durante a fase do juiz (quando tinha o
        # código de referência dos cadernos anteriores) não fica para o feedback.
        _apagar_novos(pasta, antes_do_juiz)
        if julgamento is not None:  # onde vai o tempo (make bench-avaliacao, issue 20)
            marcas = [tempos.get(k) for k in ("inicio", "caderno", "contexto")] + [time.perf_counter()]
            julgamento["tempos_s"] = {nome: round(b - a, 2) for nome, a, b in
                                      zip(("caderno", "contexto", "juiz"), marcas[:-1], marcas[1:],
                                          strict=True)
                                      if a is not None and b is not None}
        self.set_widgets_metadata()
        for i, fonte in completos.items():
            self.nb.cells[i].source = fonte
        relatorio = os.environ.get(comum.ENV_JUIZ_RELATORIO)
        if relatorio and julgamento is not None:
            with open(relatorio, "w", encoding="utf-8") as f:
                json.dump(julgamento, f, ensure_ascii=False)
        return self.nb, self.resources

    def _sondar(self) -> list[str]:
        """O que mudou no kernel desde o início (ganchos do IPython, funções substituídas): só para
        o relatório. Uma sonda que não responde diz isso mesmo."""
        from autograder import juiz

        try:
            achados = juiz.resposta(self._no_kernel(juiz.sonda("inspecionar")).outputs)
        except Exception:  # noqa: BLE001 (do aluno ou do kernel: fica no relatório, não na nota)
            return ["sem_resposta"]
        return [str(a)[:120] for a in achados][:50] if isinstance(achados, list) else ["sem_resposta"]

    def _no_kernel(self, codigo: str):
        """Corre ``codigo`` no kernel do aluno numa célula que não fica no caderno (o nbclient
        procura a célula pelo índice: entra no fim, só durante a execução); devolve-a, com as
        saídas."""
        from nbformat.v4 import new_code_cell

        celula = new_code_cell(source=codigo)
        self.nb.cells.append(celula)
        try:
            self.execute_cell(celula, len(self.nb.cells) - 1, store_history=False)
        finally:
            self.nb.cells.pop()
        return celula

    # ------------------------------------------------------------------ o juiz
    def chamar(self, alvo, args: tuple, kwargs: dict, ler: bool = False, ligados=None, **opcoes):
        """Uma chamada no kernel do aluno (ver ``juiz.ChamadaRemota``: ``alvo`` é um nome do
        caderno, um objeto guardado lá, ou uma função do pacote); com ``ler``, o valor do nome."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        from autograder import juiz

        sementes = self._espaco_juiz.get("modelos") if self._espaco_juiz else None
        semente = getattr(sementes, "pendente", None)
        if semente is not None:
            sementes.pendente = None
        try:
            celula = self._no_kernel(juiz.pedido(alvo, args, kwargs, semente, ler=ler, **opcoes))
        except (CellTimeoutError, DeadKernelError, TimeoutError) as erro:  # do aluno: falta a observação
            raise juiz.ObservacaoEmFalta(
                f"O teu kernel não respondeu a uma chamada do avaliador ({type(erro).__name__}): morreu ou "
                "esgotou o tempo.") from None
        except Exception as erro:  # noqa: BLE001 (o resto é uma falha da avaliação, não do aluno)
            raise juiz.FalhaDoJuiz(f"{type(erro).__name__}: {erro}") from None
        return juiz.resposta(celula.outputs, args, kwargs, canal=self, ligados=ligados)

    def _julgar(self, caderno: str, contexto: str, completos: dict[int, str], tempos: dict) -> dict:
        from nbformat.v4 import new_output

        from autograder import comum, juiz
        from autograder.feedback_pt import METADADOS
        from otimizacao import manifesto

        relatorio: dict = {"veredictos": {}, "adulteracoes": [], "falha_do_juiz": ""}
        try:
            # Um só espaço para as células de teste, pela ordem do caderno (como no kernel: um
            # teste pode reaproveitar o que o anterior calculou, por exemplo o r do caderno 05).
            self._espaco_juiz = juiz.espaco_base(self, list(manifesto.POR_NOME[caderno].nomes))
            juiz.preparar_contexto(self._espaco_juiz, contexto, caderno)
            self._contexto = contexto
        except Exception as erro:  # noqa: BLE001 (o contexto é nosso: uma falha aqui não é do aluno)
            relatorio["falha_do_juiz"] = (f"O contexto do juiz de {caderno} falhou "
                                          f"({type(erro).__name__}: {erro}).")
            for i in completos:
                self.nb.cells[i].outputs = [new_output("error", ename="ErroDaAvaliacao", evalue="não avaliada",
                                                       traceback=["A avaliação desta célula falhou (não é culpa tua)."])]
            return relatorio
        tempos["contexto"] = time.perf_counter()
        try:
            self._ler_do_kernel(self._espaco_juiz)
        except (Exception, juiz.FalhaDoJuiz) as erro:  # noqa: BLE001 (o depois_do_caderno é nosso)
            relatorio["falha_do_juiz"] = (f"O juiz não conseguiu ler o caderno ({type(erro).__name__}: {erro}): "
                                          "não é culpa do aluno.")
            return relatorio
        for i, fonte in completos.items():
            celula = self.nb.cells[i]
            gid = celula.metadata["nbgrader"]["grade_id"]
            visivel, oculta = comum.partes_do_teste(fonte)
            inicio = time.perf_counter()
            try:
                veredicto = juiz.julgar_celula(visivel, oculta, self._espaco_juiz)
            except juiz.FalhaDoJuiz as erro:
                relatorio["falha_do_juiz"] = f"O juiz falhou na célula {gid} ({erro}): não é culpa do aluno."
                return relatorio
            relatorio["veredictos"][gid] = {"passou": veredicto.passou, "mensagem": veredicto.mensagem,
                                            "parte": veredicto.parte, "tipo": veredicto.tipo,
                                            "segundos": round(time.perf_counter() - inicio, 2)}
            celula.metadata.pop(METADADOS, None)
            if veredicto.passou:  # a linha ✅ da célula (verificacao.passou) e a da avaliação
                celula.outputs = [new_output("stream", name="stdout", text="".join(
                    f"{linha}\n" for linha in veredicto.linhas)
                    + "✅ Avaliado fora do teu kernel: os testes desta célula passaram.\n")]
            else:
                celula.metadata[METADADOS] = {"falhou_em": veredicto.parte}  # feedback_pt.EsconderOcultos
                nome = veredicto.tipo or "AssertionError"
                celula.outputs = [new_output("error", ename=nome, evalue=veredicto.mensagem,
                                             traceback=[f"{nome}: {veredicto.mensagem}"])]
        return relatorio

    def _ler_do_kernel(self, espaco: dict) -> None:
        """As variáveis do caderno que o contexto pede (``DO_KERNEL``: entradas dos testes, como a
        curva de validação de um treino do caderno), lidas como dados simples; depois, o
        ``depois_do_caderno()`` do contexto calcula aqui o que se espera delas (com os callbacks
        verdadeiros, por exemplo). Uma variável que falte ou não se leia fica ``None``: o teste que
        a usa falha, como falharia no kernel."""
        from autograder import juiz

        for nome in juiz.lidos_do_kernel(self._contexto):
            try:
                espaco[nome] = self.chamar(str(nome), (), {}, ler=True)
            except (juiz.ObservacaoEmFalta, juiz.ErroDoAluno):
                espaco[nome] = None
        if callable(depois := espaco.get("depois_do_caderno")):
            depois()


# --------------------------------------------------------------------------- uma falha, uma penalização
# Os cadernos 05 e 09 usam funções dos cadernos 01 e 04, que o aluno traz para células de resposta
# sem pontos («trazer_do_caderno_01», «trazer_do_caderno_04»). Um erro nelas já custou pontos no
# 01/04: para não o pagar outra vez, os testes do 05 e do 09 correm com as versões de referência
# dessas funções (as do caderno source, que só o avaliador tem). O caderno do aluno corre com as
# dele; a troca faz-se no kernel só depois, na fase do juiz, cujas saídas nunca chegam ao caderno
# nem ao feedback: as células de teste correm no juiz, que só recebe dados do kernel. O que o
# kernel escrever na pasta nessa fase é apagado (``_apagar_novos``).
_PREFIXO_TRAZER = "trazer_do_caderno_"


def _ficheiros(pasta: Path) -> dict[str, tuple[int, int]]:
    """Os ficheiros da pasta de trabalho (caminho relativo → tamanho, mtime), sem seguir ligações."""
    vistos = {}
    for caminho in pasta.rglob("*"):
        try:
            if caminho.is_file() and not caminho.is_symlink():
                estado = caminho.stat()
                vistos[str(caminho.relative_to(pasta))] = (estado.st_size, estado.st_mtime_ns)
        except OSError:
            continue
    return vistos


def _apagar_novos(pasta: Path, antes: dict[str, tuple[int, int]]) -> list[str]:
    """Apaga o que apareceu ou mudou na pasta desde ``antes`` (menos os cadernos, que o nbgrader
    escreve a seguir); devolve os caminhos apagados."""
    apagados = []
    for relativo, estado in _ficheiros(pasta).items():
        if antes.get(relativo) != estado and not relativo.endswith(".ipynb"):
            try:
                (pasta / relativo).unlink()
                apagados.append(relativo)
            except OSError:
                continue
    return apagados


def _referencias_anteriores(resources) -> str:
    """O código de referência das células «trazer_do_caderno_*» do caderno source desta tarefa
    (vazio se a tarefa não as tem ou se o source não está onde o nbgrader o põe)."""
    import ast

    import nbformat

    from autograder import comum

    info = (resources or {}).get("nbgrader") or {}
    caminho = Path(os.getcwd()) / "source" / str(info.get("assignment", "")) / f"{info.get('notebook', '')}.ipynb"
    if not caminho.is_file():
        return ""
    partes = []
    for celula in nbformat.read(caminho, as_version=4).cells:
        if str(comum.nbgrader_meta(celula).get("grade_id", "")).startswith(_PREFIXO_TRAZER):
            codigo = "\n".join(linha for linha in celula.source.split("\n")
                               if linha.strip() not in (comum.INICIO_SOLUCAO, comum.FIM_SOLUCAO))
            ast.parse(codigo)  # tem de compilar: é código do professor
            partes.append(codigo)
    return "\n\n".join(partes)
